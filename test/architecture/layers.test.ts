import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { disallowedEdges, importsOf, layerEdges, readSources, runtimeClosure, type Edge } from './imports.js';

// Leaves every layer may use.
const LEAVES = ['errors', 'logger', 'events', 'failpoints', 'clock'];

/**
 * Which layer may import which (besides itself and the leaves). The direction:
 * cli/config/testing → scheduler → (provisioners, state, serialize);
 * provisioners → drivers → machines/transport/keys → os. A provisioner sees
 * only its ctx: nothing of the scheduler, the state or the codec.
 * index.ts (the public API) and builtins.ts (where the built-ins are assembled) may import anything.
 */
const ALLOWED: Record<string, readonly string[]> = {
  '*': LEAVES,
  index: ['*'],
  builtins: ['*'],
  cli: ['builtins', 'config', 'scheduler', 'state', 'serialize', 'drivers', 'plugins', 'workers'],
  config: ['scheduler', 'state', 'drivers', 'provisioners'],
  testing: ['builtins', 'config', 'scheduler'],
  // plugins-model (issue 11): plugins load their modules through config's loader; loomCluster (plugins/cluster)
  // builds groups of provisioners over drivers, machines and transport.
  plugins: ['config', 'scheduler', 'provisioners', 'drivers', 'machines', 'transport', 'keys', 'os'],
  scheduler: ['provisioners', 'state', 'serialize', 'drivers'],
  // pg-workers: stateless workers through pg-boss (issue 12).
  workers: ['scheduler', 'state', 'serialize', 'provisioners', 'drivers', 'os'],
  // The codec needs the contract's types only (checked below).
  serialize: ['provisioners'],
  // The state's record types name the snapshot shapes.
  state: ['serialize', 'os'],
  provisioners: ['drivers', 'machines', 'transport', 'keys', 'os'],
  drivers: ['machines', 'transport', 'keys', 'os'],
  transport: ['machines', 'keys', 'os'],
  machines: ['os'],
  keys: ['os'],
  os: [],
  // Type only: a command error carries the ExecuteResult of machines/machine.ts.
  errors: ['machines'],
  logger: [],
  events: [],
  failpoints: [],
  clock: [],
};

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

function check(edges: readonly Edge[]): string[] {
  const anything = Object.entries(ALLOWED)
    .filter(([, to]) => to.includes('*'))
    .map(([from]) => from);
  return disallowedEdges(
    edges.filter((e) => !anything.includes(e.from)),
    ALLOWED,
  );
}

/** Imports of files under `folder` whose target path matches `target`. */
function importsInto(edges: readonly Edge[], folder: string, target: (path: string) => boolean): Edge[] {
  return edges.filter((e) => e.file.startsWith(`${folder}/`) && target(resolvedTarget(e)));
}

function resolvedTarget(e: Edge): string {
  const parts = e.file.split('/').slice(0, -1);
  for (const part of e.specifier.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.') parts.push(part);
  }
  return parts.join('/');
}

describe('layers', () => {
  const sources = readSources(SRC);
  const edges = layerEdges(sources);

  it('finds the sources (so the checks below are not vacuous)', () => {
    expect(sources.has('index.ts')).toBe(true);
    expect(sources.has('provisioners/machines/machines.ts')).toBe(true);
    expect(edges.length).toBeGreaterThan(100);
    // Every layer that exists is in the table, so a new folder needs a decision.
    const layers = new Set(edges.flatMap((e) => [e.from, e.to]));
    expect([...layers].filter((l) => !(l in ALLOWED))).toEqual([]);
  });

  it('has no import that goes the wrong way', () => {
    expect(check(edges)).toEqual([]);
  });

  it('keeps provisioners away from the state and the codec', () => {
    const bad = importsInto(edges, 'provisioners', (t) => t.startsWith('state/') || t === 'serialize/codec.js');
    expect(bad.map((e) => `src/${e.file} imports '${e.specifier}'`)).toEqual([]);
  });

  it('lets serialize see only the provisioner contract', () => {
    const bad = importsInto(edges, 'serialize', (t) => t.startsWith('provisioners/') && t !== 'provisioners/contract.js');
    expect(bad.map((e) => `src/${e.file} imports '${e.specifier}'`)).toEqual([]);
  });

  it('loads no provisioner, driver or SSH code with the Scheduler or the registries (built-ins come from builtins.ts)', () => {
    for (const entry of ['scheduler/scheduler.ts', 'serialize/default-registry.ts', 'drivers/registry.ts']) {
      const loaded = [...runtimeClosure(sources, entry)];
      const heavy = loaded.filter((f) => /^(drivers\/(netns|ssh|local)\/|transport\/|provisioners\/(?!contract|action-handler))/.test(f));
      expect({ entry, heavy }).toEqual({ entry, heavy: [] });
    }
    // …while builtins.ts does load them (so the check above can see them).
    expect([...runtimeClosure(sources, 'builtins.ts')]).toContain('transport/connect.ts');
  });

  it('reports wrong edges in every import form (the checker is not vacuous)', () => {
    const wrong = new Map([
      ['serialize/default-registry.ts', "import { Machines } from '../provisioners/machines/machines.js';"],
      ['provisioners/local-service.ts', "const lock = await import('../state/lock.js');"],
      ['drivers/netns/ip.ts', "export type { CliArgs } from '../../cli/args.js';"],
      ['os/net.ts', "let t: import('../scheduler/runtime.js').Runtime;"],
      ['machines/machine.ts', "import type { Provisioner } from '../provisioners/contract.js';"],
      // Allowed ones, and a comment and a string that only look like imports.
      [
        'scheduler/reap.ts',
        "import { StateLock } from '../state/lock.js';\n// import '../cli/main.js'\nconst s = \"from '../cli/main.js'\";",
      ],
      ['index.ts', "export { main } from './cli/main.js';"],
    ]);
    const wrongEdges = layerEdges(wrong);
    // serialize → provisioners is a permitted folder edge (for the contract); the file-level rule below catches a provisioner.
    expect(check(wrongEdges)).toEqual([
      "provisioners → state: src/provisioners/local-service.ts imports '../state/lock.js'",
      "drivers → cli: src/drivers/netns/ip.ts imports '../../cli/args.js'",
      "os → scheduler: src/os/net.ts imports '../scheduler/runtime.js'",
      "machines → provisioners: src/machines/machine.ts imports '../provisioners/contract.js'",
    ]);
    expect(importsInto(wrongEdges, 'serialize', (t) => t.startsWith('provisioners/') && t !== 'provisioners/contract.js')).toHaveLength(1);
    expect(importsInto(wrongEdges, 'provisioners', (t) => t.startsWith('state/'))).toHaveLength(1);
  });

  it('reads static, type-only, re-export and dynamic imports', () => {
    const refs = importsOf(
      'x.ts',
      [
        "import a from './a.js';",
        "import type { B } from './b.js';",
        "export { c } from './c.js';",
        "export type { D } from './d.js';",
        "export * from './e.js';",
        "const f = await import('./f.js');",
        "type G = import('./g.js').G;",
        'const h = await import(someVariable);',
      ].join('\n'),
    );
    expect(refs.map((r) => [r.specifier, r.typeOnly])).toEqual([
      ['./a.js', false],
      ['./b.js', true],
      ['./c.js', false],
      ['./d.js', true],
      ['./e.js', false],
      ['./f.js', false],
      ['./g.js', true],
    ]);
  });
});
