import type { SystemConfig } from './contract.js';

/**
 * Codex's config load refuses `agents.max_threads = 0` and `agents.max_depth < 1`
 * (`core/src/config/mod.rs`; the 0.121.0 binary carries "agents.max_depth must be at least 1"
 * and "agents.max_threads must be at least 1"; 0.171.0 carries
 * "agents.max_concurrent_threads_per_session must be at least 1", the successor key of
 * max_threads), so no Codex process runs with them. Returns the refusal, or undefined when
 * Codex starts.
 */
export function codexConfigRefusal(config: SystemConfig): string | undefined {
  if (config.maxDepth < 1) return `agents.max_depth must be at least 1 (got ${config.maxDepth}): Codex refuses to start`;
  if (config.maxThreadsConfigured && config.maxThreads < 1) return `agents.max_threads must be at least 1 (got ${config.maxThreads}): Codex refuses to start`;
  return undefined;
}
