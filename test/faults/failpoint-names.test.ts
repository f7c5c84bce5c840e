// Failpoint names are typed to the list, and the list is exactly the points the code has.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { FAILPOINTS, failpoint } from '../../src/failpoints.js';
import { ROOT } from '../helpers/paths.js';

test('failpoint() takes only a listed name: a typo does not compile', () => {
  // @ts-expect-error 'netns-after-recrod' is not a Failpoint (tsc fails here if any string were accepted)
  const typo = () => failpoint('netns-after-recrod');
  expect(typo).not.toThrow(); // unarmed: nothing happens at run time either
});

test('FAILPOINTS lists every failpoint() call in src/, and nothing else', () => {
  const src = join(ROOT, 'src');
  const used = new Set<string>();
  for (const file of readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
    for (const match of readFileSync(join(src, file), 'utf8').matchAll(/\bfailpoint\('([^']+)'\)/g)) used.add(match[1]!);
  }
  expect([...used].sort()).toEqual([...FAILPOINTS].sort());
  expect(FAILPOINTS).toEqual(expect.arrayContaining(['netns-after-create', 'netns-after-record', 'netns-after-sshd']));
});
