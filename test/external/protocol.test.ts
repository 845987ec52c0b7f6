import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execId, groupSystemIds, parseExecSpec } from '../../src/systems/external/execSpec.js';
import { protocolJsonSchema, REQUEST_OPS, REQUESTS, RESULTS } from '../../src/systems/external/protocol.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('the protocol schema', () => {
  it('docs/protocol.schema.json is the schema the adapter validates with (regenerate: see docs/protocol.md)', () => {
    const committed = JSON.parse(readFileSync(join(ROOT, 'docs', 'protocol.schema.json'), 'utf8')) as unknown;
    expect(committed).toEqual(protocolJsonSchema());
  });

  it('describes a request and a result for every op', () => {
    const defs = (protocolJsonSchema() as { $defs: Record<string, unknown> }).$defs;
    for (const op of REQUEST_OPS) {
      expect(defs[`request.${op}`]).toBeDefined();
      expect(defs[`result.${op}`]).toBeDefined();
    }
  });

  it('accepts what the contract allows and refuses what it does not', () => {
    expect(REQUESTS.spawn.safeParse({ id: 3, op: 'spawn', args: { caller: 'root', child: 'a1' } }).success).toBe(true);
    expect(REQUESTS.spawn.safeParse({ id: 3, op: 'spawn', args: { caller: 'root' } }).success).toBe(false);
    expect(RESULTS.spawn.safeParse({ ok: false, error: 'AgentLimitReached', message: 'full', limit: 6 }).success).toBe(true);
    expect(RESULTS.spawn.safeParse({ ok: 'yes' }).success).toBe(false);
    expect(RESULTS.close.safeParse({ ok: 'pending', shutdown: ['a1'] }).success).toBe(true);
    expect(RESULTS.snapshot.safeParse({ registries: [{ root: 'root', cap: null, counted: -1, entries: [], reservations: 0 }] }).success).toBe(true);
  });
});

describe('exec: system ids', () => {
  it('splits the program and its arguments on whitespace, or takes a JSON array', () => {
    expect(parseExecSpec('exec:python3 examples/python/codex_v1.py')).toEqual({ program: 'python3', args: ['examples/python/codex_v1.py'] });
    expect(parseExecSpec('exec:["my registry","--cap","6"]')).toEqual({ program: 'my registry', args: ['--cap', '6'] });
    expect(parseExecSpec('exec:')).toBeUndefined();
    expect(parseExecSpec('codex-v1')).toBeUndefined();
    expect(execId({ program: 'python3', args: ['a.py'] })).toBe('exec:python3 a.py');
    expect(execId({ program: 'my registry', args: [] })).toBe('exec:["my registry"]');
  });

  it('regroups the words the shell split out of `--system exec:python3 adapter.py codex-v1`', () => {
    const builtin = (v: string): boolean => v.startsWith('codex-');
    expect(groupSystemIds(['exec:python3', 'adapter.py', 'codex-v1'], builtin)).toEqual(['exec:python3 adapter.py', 'codex-v1']);
    expect(groupSystemIds(['codex-v1', 'exec:./reg', 'exec:node', 'b.mjs'], builtin)).toEqual(['codex-v1', 'exec:./reg', 'exec:node b.mjs']);
    expect(groupSystemIds(['exec:python3 adapter.py --release on-final'], builtin)).toEqual(['exec:python3 adapter.py --release on-final']);
  });
});
