import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { COMPACTION_RULE } from '../../src/state/journal/wal.js';

// The README states the compaction threshold in words; it is derived from the constants, so keep them in step.
describe('compaction threshold text', () => {
  it('the README states the rule the journal applies', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(`(${COMPACTION_RULE})`);
  });
});
