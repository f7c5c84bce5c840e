// Interrupting `provision`: a first Ctrl-C stops gracefully (no new step, the
// one in flight finishes and is recorded); a second one, or SIGTERM, cancels
// the step in flight through its AbortSignal. Exit code 130 either way.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { spawnTs, untilOutput } from '../helpers/children.js';
import { fixture } from '../helpers/paths.js';
import { serviceWorkspace } from '../helpers/processes.js';
import { readRawState, waitForState, waitForStepField } from '../helpers/state.js';
import { isRunning } from '../helpers/wait.js';

test('a first SIGINT lets the step in flight finish and be recorded, starts nothing new, and exits 130', async () => {
  const { dir, stateFile } = await serviceWorkspace('groundwork-sigint-');
  const goFile = join(dir, 'go');
  const cli = spawnTs(['tasks.ts', 'provision', '--config', fixture('sigint-graceful-config.ts'), '--state', stateFile], {
    GO_FILE: goFile,
  });

  await waitForState(stateFile, (s) => (s.groups.first?.steps[0]?.state === 'running' ? true : undefined));
  cli.proc.kill('SIGINT');
  await untilOutput(cli, 'stderr', 'Stopping: no new steps start');
  await writeFile(goFile, ''); // now the step in flight may finish
  expect((await cli.exited).code).toBe(130);

  const after = readRawState(stateFile).groups;
  expect(after.first!.steps.map((s) => s.state)).toEqual(['done', 'pending']);
  expect(after.first!.state).toBe('pending'); // to continue at step 2 on the next run
  expect(after.second!.state).toBe('pending');
  expect(after.second!.steps[0]!.state).toBe('pending');
  expect(existsSync(`${stateFile}.lock`)).toBe(false);

  // The next run continues where it stopped.
  const again = spawnTs(['tasks.ts', 'provision', '--config', fixture('sigint-graceful-config.ts'), '--state', stateFile], {
    GO_FILE: goFile,
  });
  expect((await again.exited).code).toBe(0);
  const done = readRawState(stateFile).groups;
  expect([done.first!.state, done.second!.state]).toEqual(['provisioned', 'provisioned']);
});

test('a second SIGINT cancels the step in flight through its AbortSignal, records it and exits 130', async () => {
  const { stateFile, track } = await serviceWorkspace('groundwork-sigint-');
  const cli = spawnTs(['tasks.ts', 'provision', '--config', fixture('sigint-config.ts'), '--state', stateFile]);

  const pid = (await waitForStepField(stateFile, 'slow', 0, 'pid')) as number;
  track(pid);
  cli.proc.kill('SIGINT');
  await untilOutput(cli, 'stderr', 'Press Ctrl-C again');
  expect(isRunning(cli.pid)).toBe(true); // still waiting on the step in flight
  cli.proc.kill('SIGINT');
  expect((await cli.exited).code).toBe(130);
  expect(cli.stderr()).toContain('Interrupted (SIGINT)');

  const after = readRawState(stateFile).groups;
  expect(after.slow!.state).toBe('failed');
  expect((after.slow as { error?: { message: string } }).error?.message).toContain('interrupted by SIGINT');
  expect(after.after!.state).toBe('blocked');
  expect(isRunning(pid)).toBe(false); // the half-started service was stopped
  expect(existsSync(`${stateFile}.lock`)).toBe(false);
});

test('SIGTERM cancels the step in flight at once, records it, stops its process and exits 130', async () => {
  const { stateFile, track } = await serviceWorkspace('groundwork-sigint-');
  const cli = spawnTs(['tasks.ts', 'provision', '--config', fixture('sigint-config.ts'), '--state', stateFile]);

  const pid = (await waitForStepField(stateFile, 'slow', 0, 'pid')) as number;
  track(pid);
  cli.proc.kill('SIGTERM');
  expect((await cli.exited).code).toBe(130);
  expect(cli.stderr()).toContain('Interrupted (SIGTERM)');

  const after = readRawState(stateFile).groups;
  expect(after.slow!.state).toBe('failed');
  expect((after.slow as { error?: { message: string } }).error?.message).toContain('interrupted by SIGTERM');
  expect(after.after!.state).toBe('blocked'); // never started: its dependency did not provision
  expect(after.after!.steps[0]!.state).toBe('pending');
  expect(isRunning(pid)).toBe(false);
  expect(isRunning(cli.pid)).toBe(false);
  expect(existsSync(`${stateFile}.lock`)).toBe(false);
});
