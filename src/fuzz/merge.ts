import type { FuzzFailure, FuzzResult, LimitMet } from './campaign.js';

/** One shard's result, as `spawnsim fuzz --shard i/n` reports it (index counts from 1). */
export interface ShardResult {
  shard: { index: number; count: number };
  result: FuzzResult;
}

/**
 * Puts the shards of one campaign back together. The findings are exactly those of the
 * unsharded campaign: shard reports list, for the runs each owns, every violation that was
 * fresh within the shard; the merge keeps, per invariant, the one from the earliest run, in
 * run order, and in stop-at-first mode only the earliest of all (with `runs` cut there).
 * Coverage counts add up over the runs the shards made; in stop-at-first mode a shard may have
 * made runs past the campaign's first failure, so coverage can be higher than unsharded.
 * Throws with a sentence when the reports are not the shards of one campaign, or when a shard
 * is missing (`mergeAvailableShards` merges what is there and says which are missing).
 */
export function mergeShards(shards: readonly ShardResult[]): FuzzResult {
  const { result, missing } = mergeAvailableShards(shards);
  if (missing.length > 0) throw new Error(`shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} missing: merge needs every shard of the campaign once`);
  return result;
}

/**
 * What the shards that are there found, for a campaign some of whose shards never reported (a
 * CI job that was cancelled, an artifact that expired). Their findings are real and exact; the
 * runs of the missing shards were not made, so "no violation" covers only `runsMade` runs.
 * `missing` names them as `i/n`. Throws when the reports are not of one campaign or a shard is
 * given twice.
 */
export function mergeAvailableShards(shards: readonly ShardResult[]): { result: FuzzResult; missing: string[]; runsMade: number } {
  if (shards.length === 0) throw new Error('no shard reports to merge');
  const first = shards[0]!;
  const n = first.shard.count;
  const campaign = (s: ShardResult): string => JSON.stringify([s.result.id, s.result.system, s.result.seed, s.result.invariants, s.shard.count, s.result.generator]);
  for (const s of shards) {
    if (campaign(s) !== campaign(first)) {
      throw new Error(`shard ${s.shard.index}/${s.shard.count} is from another campaign (${s.result.id}, seed ${s.result.seed}) than shard ${first.shard.index}/${n} (${first.result.id}, seed ${first.result.seed})`);
    }
  }
  const seen = new Set(shards.map((s) => s.shard.index));
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (seen.size !== shards.length) throw new Error(`a shard is given twice: ${shards.map((s) => `${s.shard.index}/${n}`).join(', ')}`);
  const ordered = [...shards].sort((a, b) => a.shard.index - b.shard.index);

  // Corpus entries are replayed by every shard alike: take them from one.
  const corpusFailures = ordered[0]!.result.failures.filter((f) => f.source === 'corpus');
  const generated: FuzzFailure[] = [];
  for (const s of ordered) generated.push(...s.result.failures.filter((f) => f.source === 'generated'));
  // Stable sort: within one run, a shard's own order (the order the violations occurred).
  generated.sort((a, b) => a.run - b.run);

  const stoppedAtFirst = ordered.some((s) => s.result.stoppedBy === 'violation');
  const failures: FuzzFailure[] = [];
  const found = new Set<string>();
  for (const f of [...corpusFailures, ...generated]) {
    if (found.has(f.invariant)) continue;
    found.add(f.invariant);
    failures.push(f);
    if (stoppedAtFirst) break;
  }

  const coverage = { ...ordered[0]!.result.coverage };
  for (const s of ordered.slice(1)) for (const [k, v] of Object.entries(s.result.coverage)) coverage[k as keyof typeof coverage] += v;
  const missingCoverage = ordered[0]!.result.missingCoverage.filter((state) => coverage[state as keyof typeof coverage] === 0);
  const interrupted = ordered.some((s) => s.result.stoppedBy === 'interrupted');
  const untilCut = ordered.some((s) => s.result.stoppedBy === 'until');
  const stoppedBy: FuzzResult['stoppedBy'] = stoppedAtFirst && failures.length > 0 ? 'violation' : interrupted ? 'interrupted' : untilCut ? 'until' : 'runs';
  const runs = stoppedBy === 'violation' ? failures[0]!.run : Math.max(...ordered.map((s) => s.result.runs));
  // run k belongs to shard ((k - 1) mod n) + 1 (src/fuzz/pool.ts ownsRun)
  const runsMade = runs - missing.reduce((sum, i) => sum + (runs >= i ? Math.floor((runs - i) / n) + 1 : 0), 0);
  const result: FuzzResult = {
    id: first.result.id,
    system: first.result.system,
    seed: first.result.seed,
    invariants: first.result.invariants,
    runs,
    generator: first.result.generator,
    stoppedBy,
    failures,
    corpus: ordered[0]!.result.corpus,
    coverage,
    missingCoverage,
    verdict: failures.length > 0 || missingCoverage.length > 0 ? 'fail' : 'pass',
    ...mergedUndetectable(ordered.map((s) => s.result.undetectable)),
    ...mergedLimits(ordered.map((s) => s.result.limits ?? [])),
  };
  return { result, missing: missing.map((i) => `${i}/${n}`), runsMade };
}

/** Runs that broke invariants only through undetectable faults: runs add up, invariants are united. */
function mergedUndetectable(list: (FuzzResult['undetectable'] | undefined)[]): { undetectable?: NonNullable<FuzzResult['undetectable']> } {
  const present = list.filter((u): u is NonNullable<FuzzResult['undetectable']> => u !== undefined);
  if (present.length === 0) return {};
  return { undetectable: { runs: present.reduce((sum, u) => sum + u.runs, 0), invariants: [...new Set(present.flatMap((u) => u.invariants))].sort() } };
}

/** Known limits over shards: runs add up, the first run is the earliest, invariants are united. */
function mergedLimits(lists: LimitMet[][]): { limits?: LimitMet[] } {
  const by = new Map<string, LimitMet>();
  for (const l of lists.flat()) {
    const had = by.get(l.name);
    if (had === undefined) by.set(l.name, { ...l, invariants: [...l.invariants] });
    else {
      had.runs += l.runs;
      had.invariants = [...new Set([...had.invariants, ...l.invariants])].sort();
      if (l.firstRun < had.firstRun) Object.assign(had, { firstRun: l.firstRun, firstRunSeed: l.firstRunSeed });
    }
  }
  return by.size === 0 ? {} : { limits: [...by.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) };
}
