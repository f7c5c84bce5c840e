// LocalService records its pid right after starting the process; when that
// checkpoint cannot be written, nothing on disk would name the process, so it
// is stopped before the step fails.
import { join } from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { LocalService, Scheduler } from '../../src/index.js';
import { armFailpoints } from '../../src/failpoints.js';
import { fixture } from '../helpers/paths.js';
import { processesUsing } from '../helpers/netns.js';
import { serviceWorkspace, startTimeOf } from '../helpers/processes.js';

test('a failed checkpoint of the pid stops the process it names', async () => {
  const { dir, stateFile, track } = await serviceWorkspace('groundwork-service-checkpoint-');
  // The term file puts this test's folder on its command line: how the process is found with no pid on disk.
  const termFile = join(dir, 'term');
  const service = new LocalService({
    command: process.execPath,
    args: ['--import', 'tsx', fixture('service-echo.ts'), '--port', '{{port}}', '--term-file', termFile],
    port: 'auto',
  });
  const s = await Scheduler.open({ stateFile });
  onTestFinished(() => s.close().catch(() => {}));
  await s.schedule('echo', [service]);
  // The step's start is durable once step:start is emitted; the next journal write is the checkpoint.
  s.on('step:start', () => onTestFinished(armFailpoints('before-journal-write:eio')));

  const run = s.run();
  const error = await run.catch((e: unknown) => e);
  for (const pid of processesUsing(dir)) track(pid, startTimeOf(pid)); // safety net, for a run without the fix
  expect(error).toMatchObject({ message: expect.stringContaining('EIO: injected by failpoint before-journal-write') });
  expect(processesUsing(dir)).toEqual([]);
});
