// kill -9 at random moments, again and again, then resume: the invariants of
// the journal hold after every kill. GROUNDWORK_SEED replays a sequence;
// GROUNDWORK_KILLS asks for more kills (`npm run bench:kill`).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { readStateFile } from '../../src/state/file-store.js';
import { checkProvisioning, checkTeardown, doneSteps, readCalls, type Kill } from '../helpers/fault-log.js';
import { bundledPipeline, faultDeps, GROUPS, runPipeline, seededRandom, whenLogHas } from '../helpers/fault-run.js';
import { readRawState } from '../helpers/state.js';
import { tempDir } from '../helpers/temp.js';

const KILLS = Number(process.env.GROUNDWORK_KILLS ?? 50);
const SEED = Number(process.env.GROUNDWORK_SEED ?? Math.floor(Math.random() * 2 ** 31));

const pipeline = bundledPipeline();

test(
  `${KILLS} kill -9s at random moments never lose or repeat an acknowledged step (seed ${SEED})`,
  { timeout: 60_000 + KILLS * 2_000 },
  async () => {
    const random = seededRandom(SEED);
    const deps = faultDeps();
    let kills = 0;
    let killsAfterProgress = 0;
    for (let round = 1; kills < KILLS; round++) {
      const dir = await tempDir('groundwork-kill-loop-');
      const stateFile = join(dir, 'state.json');
      const logFile = join(dir, 'calls.log');
      const context = `seed ${SEED}, round ${round}`;
      const killed: Kill[] = [];
      for (let attempt = 1; ; attempt++) {
        expect(attempt, `${context}: the pipeline never finished`).toBeLessThan(200);
        const child = runPipeline(pipeline(), stateFile, logFile, 'provision');
        // Kill at spawn (mid-start-up, opening, replaying) or after any number of further calls, up to a whole run's.
        const more = kills < KILLS ? Math.floor(random() * GROUPS * 3) : Number.POSITIVE_INFINITY;
        const exitedFirst = new AbortController();
        void child.exited.then(() => exitedFirst.abort());
        if (more === 0 || (await whenLogHas(logFile, readCalls(logFile).length + more, exitedFirst.signal))) child.proc.kill('SIGKILL');
        const exit = await child.exited;
        if (exit.signal !== 'SIGKILL') {
          expect(exit.code, `${context}: ${child.stderr()}`).toBe(0);
          break; // finished before the kill
        }
        kills++;
        // The state always loads, through the library and through the test's own reader alike.
        const loaded = await readStateFile(stateFile);
        const raw = existsSync(stateFile) ? readRawState(stateFile) : undefined;
        expect(loaded === undefined, `${context}: library and raw reader disagree on existence`).toBe(raw === undefined);
        for (const [name, g] of Object.entries(loaded?.groups ?? {})) {
          expect(
            g.steps.map((s) => s.state),
            `${context}: ${name}`,
          ).toEqual(raw!.groups[name]!.steps.map((s) => s.state));
        }
        killed.push({ pid: child.pid, doneAfter: doneSteps(raw) });
        if (killed.at(-1)!.doneAfter.size > 0) killsAfterProgress++;
      }
      const final = readRawState(stateFile);
      checkProvisioning(readCalls(logFile), final, killed, deps, context);

      const before = readCalls(logFile).length;
      const teardown = runPipeline(pipeline(), stateFile, logFile, 'teardown');
      expect((await teardown.exited).code, teardown.stderr()).toBe(0);
      checkTeardown(readCalls(logFile).slice(before), deps, context);
      expect(readRawState(stateFile).groups).toEqual({});
    }
    expect(kills).toBeGreaterThanOrEqual(KILLS);
    // Most kills must find acknowledged steps to lose, or the test proves little.
    expect(killsAfterProgress).toBeGreaterThan(KILLS / 2);
  },
);
