import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { exportsOf } from './imports.js';

const indexText = readFileSync(new URL('../../src/index.ts', import.meta.url), 'utf8');
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The names README's "## API" section lists: backticked identifiers in its `- **Group**:` lines, before any ` — ` remark. */
function apiNames(markdown: string): string[] {
  const start = markdown.indexOf('\n## API\n');
  if (start < 0) throw new Error('README.md has no "## API" section');
  const end = markdown.indexOf('\n## ', start + 1);
  const section = markdown.slice(start, end < 0 ? undefined : end);
  return section
    .split('\n')
    .filter((line) => line.startsWith('- **'))
    .flatMap((line) => [...line.split(' — ')[0]!.matchAll(/`([A-Za-z_$][\w$]*)`/g)].map((m) => m[1]!));
}

it('src/index.ts names every export (no export *)', () => {
  expect(exportsOf('index.ts', indexText).star).toBe(false);
});

it("README's API section lists exactly what src/index.ts exports", () => {
  const exported = exportsOf('index.ts', indexText).names;
  const listed = apiNames(readme);
  expect(exported.length).toBeGreaterThan(50);
  expect(new Set(exported).size).toBe(exported.length);
  expect(new Set(listed).size).toBe(listed.length);
  expect({
    missingFromReadme: exported.filter((n) => !listed.includes(n)),
    notExported: listed.filter((n) => !exported.includes(n)),
  }).toEqual({
    missingFromReadme: [],
    notExported: [],
  });
});

it('the comparison notices a name on one side only', () => {
  const extra = exportsOf(
    'x.ts',
    "export { Scheduler, Extra } from './a.js';\nexport type { T } from './b.js';\nexport const c = 1;",
  ).names;
  expect(extra).toEqual(['Scheduler', 'Extra', 'T', 'c']);
  expect(apiNames('\n## API\n\n- **A**: `Scheduler`, `T` — not `c`\n\n## Next\n- **B**: `Extra`\n')).toEqual(['Scheduler', 'T']);
});

it('leaves internals out of the public surface', () => {
  const exported = exportsOf('index.ts', indexText).names;
  const internals = [
    'defaultRegistry',
    'defaultDriverRegistry',
    'driverForUrl',
    'FAILPOINTS',
    'MachineStage',
    'writeSshdConfig',
    'hostKeyFingerprint',
    'generateKeyPair',
    'keyEnvName',
    'readStateFile',
    'fanOut',
    'allocateMachines',
  ];
  expect(exported.filter((n) => internals.includes(n))).toEqual([]);
});
