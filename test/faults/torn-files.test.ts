// Torn and corrupt state files: load recovers to the last complete journal
// record, or refuses with an error naming the file and what is wrong. It never
// returns a state that differs from what was written without saying so.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { Scheduler, StateFileError, type Logger } from '../../src/index.js';
import { readStateFile } from '../../src/state/file-store.js';
import { seededRandom } from '../helpers/fault-run.js';
import { Tagged } from '../helpers/provisioners.js';
import { journalEntries, readRawState } from '../helpers/state.js';
import { tempDir } from '../helpers/temp.js';

const SEED = Number(process.env.GROUNDWORK_SEED ?? Math.floor(Math.random() * 2 ** 31));

let snapshot: Buffer; // as left by a run that was not closed (the journal holds the run)
let journal: Buffer;
let compacted: Buffer; // the snapshot after close (everything folded in)

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'groundwork-torn-source-'));
  const file = join(dir, 'state.json');
  const s = await Scheduler.open({ stateFile: file });
  for (const name of ['db', 'cache', 'app', 'web'])
    await s.schedule(name, [new Tagged(`${name}-1`), new Tagged(`${name}-2`)], { dependsOn: name === 'app' ? ['db'] : [] });
  expect((await s.run()).ok).toBe(true);
  snapshot = await readFile(file);
  journal = await readFile(`${file}.journal`);
  await s.close();
  compacted = await readFile(file);
  rmSync(dir, { recursive: true, force: true });
});

async function copyState(files: { snapshot: Buffer; journal?: Buffer }): Promise<string> {
  const file = join(await tempDir('groundwork-torn-'), 'state.json');
  await writeFile(file, files.snapshot);
  if (files.journal) await writeFile(`${file}.journal`, files.journal);
  return file;
}

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
}

test('the journal holds the run: its complete records rebuild every group', async () => {
  expect(journalEntries(await copyState({ snapshot, journal })).length).toBeGreaterThan(10);
  const full = await readStateFile(await copyState({ snapshot, journal }));
  expect(Object.values(full!.groups).map((g) => g.state)).toEqual(['provisioned', 'provisioned', 'provisioned', 'provisioned']);
});

describe(`a journal cut at random offsets (seed ${SEED})`, () => {
  const random = seededRandom(SEED);
  const offsets = Array.from({ length: 30 }, () => Math.floor(random() * 4000));
  test.each(offsets.map((o, i) => ({ i, o })))('cut $i loads to the last complete record', async ({ o }) => {
    const cut = journal.subarray(0, o % journal.length);
    const file = await copyState({ snapshot, journal: cut });
    const expected = readRawState(file).groups; // the test's own reader: complete records only

    expect((await readStateFile(file))?.groups).toEqual(expected);

    // Opening repairs it: the recovered state is folded into the snapshot, the torn bytes are gone.
    const logger = recordingLogger();
    const s = await Scheduler.open({ stateFile: file, logger });
    expect(s.groups()).toEqual(Object.keys(expected));
    await s.close();
    expect(readRawState(file).groups).toEqual(expected);
    expect(existsSync(`${file}.journal`)).toBe(false);
  });
});

test('garbage appended after the last record is dropped with a warning, every record kept', async () => {
  const random = seededRandom(SEED + 1);
  const garbage = Buffer.from(Array.from({ length: 137 }, () => Math.floor(random() * 256)));
  const file = await copyState({ snapshot, journal: Buffer.concat([journal, garbage]) });
  const full = await readStateFile(await copyState({ snapshot, journal }));

  expect((await readStateFile(file))?.groups).toEqual(full!.groups);
  const logger = recordingLogger();
  const s = await Scheduler.open({ stateFile: file, logger });
  await s.close();
  expect(logger.warnings.join('\n')).toMatch(/dropped 137 byte\(s\) at the end of its journal/);
  expect(readRawState(file).groups).toEqual(full!.groups);
});

test('damage in the middle of the journal is refused, naming the journal, and nothing is touched', async () => {
  const damaged = Buffer.from(journal);
  damaged[Math.floor(journal.length / 2)]! ^= 0x5a;
  const file = await copyState({ snapshot, journal: damaged });

  for (const load of [() => readStateFile(file), () => Scheduler.open({ stateFile: file })]) {
    const error = await load().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StateFileError);
    expect((error as Error).message).toContain(`${file}.journal`);
    expect((error as Error).message).toMatch(/damaged in the middle: record at byte \d+ fails its checksum/);
  }
  expect(await readFile(`${file}.journal`)).toEqual(damaged);
  expect(await readFile(file)).toEqual(snapshot);
  expect(existsSync(`${file}.lock`)).toBe(false);
});

describe(`a snapshot with a flipped byte (seed ${SEED})`, () => {
  const random = seededRandom(SEED + 2);
  const flips = Array.from({ length: 25 }, () => ({ at: Math.floor(random() * 1e9), xor: 1 + Math.floor(random() * 255) }));
  // Also, every time: inside the id, the creation time and the seq, outside the groups.
  const inHeader = ['"id":"', '"createdAt":"', '"seq":'].map((key) => ({ key, xor: 0x01 }));
  test.each([...flips.map((f, i) => ({ i: String(i), ...f, key: undefined })), ...inHeader.map((h) => ({ i: h.key, at: 0, ...h }))])(
    'flip $i is refused or harmless, never read as other data',
    async ({ at, xor, key }) => {
      const bytes = Buffer.from(compacted);
      const offset = key ? compacted.indexOf(key) + key.length : at % bytes.length;
      bytes[offset]! ^= xor;
      const file = await copyState({ snapshot: bytes });
      const original = (await readStateFile(await copyState({ snapshot: compacted })))!;

      const result = await readStateFile(file).then(
        (data) => ({ data }),
        (error: unknown) => ({ error }),
      );
      if ('error' in result) {
        expect(result.error).toBeInstanceOf(StateFileError);
        expect((result.error as Error).message).toContain(file);
        expect((result.error as Error).message).toMatch(/fails its checksum|is not valid JSON|is not a Groundwork state|has version|`seq`/);
        expect(await readFile(file)).toEqual(bytes);
      } else {
        expect(result.data).toEqual(original);
      }
    },
  );
});
