import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { exportsOf } from './imports.js';

const indexText = readFileSync(new URL('../../src/index.ts', import.meta.url), 'utf8');
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** README's "## API" section, up to the next "##" heading. */
function apiSection(markdown: string): string {
  const start = markdown.indexOf('\n## API\n');
  if (start < 0) throw new Error('README.md has no "## API" section');
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

/** Backticked identifiers before any ` — ` remark. */
function namesIn(line: string): string[] {
  return [...line.split(' — ')[0]!.matchAll(/`([A-Za-z_$][\w$]*)`/g)].map((m) => m[1]!);
}

/** The names README's "## API" section lists for `groundwork`: its `- **Group**:` lines, before the first "###" subsection. */
function apiNames(markdown: string): string[] {
  const section = apiSection(markdown).split('\n### ')[0]!;
  return section
    .split('\n')
    .filter((line) => line.startsWith('- **'))
    .flatMap(namesIn);
}

/** The other entries README's API section lists: `- \`groundwork/x\` (\`src/file.ts\`): names` lines. */
function entryLines(markdown: string): Array<{ entry: string; file: string; names: string[] }> {
  return apiSection(markdown)
    .split('\n')
    .map((line) => /^- `(groundwork\/[\w/-]+)` \(`src\/([\w/.-]+)`\): (.*)$/.exec(line))
    .filter((m) => m !== null)
    .map((m) => ({ entry: m[1]!, file: m[2]!, names: namesIn(m[3]!) }));
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

it("README's API section lists the test-runner entries, each with exactly what its file exports", () => {
  const entries = entryLines(readme);
  expect(entries.map((e) => e.entry)).toEqual([
    'groundwork/vitest',
    'groundwork/jest',
    'groundwork/jest/setup',
    'groundwork/jest/teardown',
    'groundwork/node-test',
  ]);
  for (const { entry, file, names } of entries) {
    const text = readFileSync(new URL(`../../src/${file}`, import.meta.url), 'utf8');
    const exported = exportsOf(file, text);
    expect(exported.star, entry).toBe(false);
    expect([...exported.names].sort(), entry).toEqual([...names].sort());
  }
});

it('the main entry imports no test runner and no test hook', () => {
  const specifiers = [...indexText.matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
  expect(specifiers.length).toBeGreaterThan(10);
  expect(specifiers.filter((s) => /vitest|jest|node:test|testing\//.test(s))).toEqual([]);
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
