// Ctrl-C (or SIGTERM) during `provision`: the in-flight step is cancelled through
// its AbortSignal and recorded, its half-started process stopped, the lock released.
import { existsSync } from 'node:fs';
import { expect, test } from 'vitest';
import { spawnTs } from '../helpers/children.js';
import { fixture } from '../helpers/paths.js';
import { serviceWorkspace } from '../helpers/processes.js';
import { readRawState, waitForStepField } from '../helpers/state.js';
import { isRunning } from '../helpers/wait.js';

test.for(['SIGINT', 'SIGTERM'] as const)(
  '%s during provision cancels the in-flight step, records it, stops its process and exits 130',
  async (signal) => {
    const { stateFile, track } = await serviceWorkspace('groundwork-sigint-');
    const cli = spawnTs(['tasks.ts', 'provision', '--config', fixture('sigint-config.ts'), '--state', stateFile]);

    // Once the pid is checkpointed, the service is started and LocalService waits on its port.
    const pid = (await waitForStepField(stateFile, 'slow', 0, 'pid')) as number;
    track(pid);
    cli.proc.kill(signal);
    expect((await cli.exited).code).toBe(130);
    expect(cli.stderr()).toContain(`Interrupted (${signal})`);

    const after = readRawState(stateFile).groups;
    expect(after.slow!.state).toBe('failed');
    expect((after.slow as { error?: { message: string } }).error?.message).toContain(`interrupted by ${signal}`);
    expect(after.after!.state).toBe('blocked'); // never started: its dependency did not provision
    expect(after.after!.steps[0]!.state).toBe('pending');
    expect(isRunning(pid)).toBe(false); // the half-started service was stopped
    expect(isRunning(cli.pid)).toBe(false);
    expect(existsSync(`${stateFile}.lock`)).toBe(false); // released
  },
);
