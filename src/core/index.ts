export { RandomStreams, rngFor, type Rng } from './rng.js';
export { EventQueue } from './EventQueue.js';
export { SimulatedClock } from './SimulatedClock.js';
export { Trace, canonicalEvent, digestEvent, type TraceEvent } from './Trace.js';
export { Digest, TraceDigest, digestOf } from './digest.js';
export { parseDuration, formatDuration, formatSeconds } from './duration.js';
