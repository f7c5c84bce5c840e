// LocalCommand, run through the Scheduler with real child processes.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { LocalCommand, Scheduler, type LocalCommandOutput } from '../../src/index.js';
import { tempStateFile } from '../helpers/temp.js';

/** `node -e SCRIPT ...args`: inside SCRIPT, the args are process.argv.slice(1). */
function nodeScript(
  script: string,
  args: string[] = [],
  options: { env?: Record<string, string>; undo?: { command: string; args?: string[] } } = {},
) {
  return new LocalCommand({ command: process.execPath, args: ['-e', script, ...args], ...options });
}

const stateIn = () => tempStateFile('groundwork-command-');

test('a successful command returns its exit code and stdout', async () => {
  await using s = await Scheduler.open({ stateFile: await stateIn() });
  await s.schedule('cmd', [nodeScript('console.log("hello from a command")')]);
  const summary = await s.run();
  expect(summary.groups).toEqual([{ group: 'cmd', state: 'provisioned' }]);
  expect(s.output('cmd')).toEqual({ exitCode: 0, stdout: 'hello from a command' });
  expect(s.status()[0]?.steps[0]?.report).toEqual([`${process.execPath} -e console.log("hello from a command") (exit 0)`]);
});

test('fills {{input.x}} and {{dependencies.db.y}} placeholders in args and env', async () => {
  await using s = await Scheduler.open({ stateFile: await stateIn() });
  await s.scheduleAll([
    { name: 'db', provisioners: [nodeScript('console.log("db-value")')] },
    {
      name: 'app',
      dependsOn: ['db'],
      provisioners: [
        nodeScript('console.log("from-step-1")'),
        nodeScript(
          'console.log([...process.argv.slice(1), process.env.DB_EXIT].join(","))',
          ['{{input.stdout}}', 'db={{ dependencies.db.stdout }}'],
          { env: { DB_EXIT: 'exit-{{dependencies.db.exitCode}}' } },
        ),
      ],
    },
  ]);
  const summary = await s.run();
  expect(summary.ok).toBe(true);
  expect(s.output('app')).toEqual({ exitCode: 0, stdout: 'from-step-1,db=db-value,exit-0' });
});

test('a missing placeholder fails the step with a message naming it', async () => {
  await using s = await Scheduler.open({ stateFile: await stateIn() });
  await s.schedule('cmd', [nodeScript('console.log(process.argv[1])', ['{{input.nope}}'])]);
  const summary = await s.run();
  expect(summary.ok).toBe(false);
  expect(summary.groups[0]).toMatchObject({ group: 'cmd', state: 'failed' });
  const error = summary.groups[0]?.error ?? '';
  expect(error).toContain('{{input.nope}}');
  expect(error).toContain('`args[2]`');
  expect(error).toMatch(/is undefined/);
  expect(s.status()[0]?.steps[0]).toMatchObject({ state: 'failed', error });
});

test('a non-zero exit fails the step, with the command’s stderr in the error', async () => {
  await using s = await Scheduler.open({ stateFile: await stateIn() });
  await s.schedule('cmd', [nodeScript('process.stderr.write("kaboom: disk on fire\\n"); process.exit(7)')]);
  const summary = await s.run();
  expect(summary.ok).toBe(false);
  expect(summary.groups[0]).toMatchObject({ group: 'cmd', state: 'failed' });
  const error = summary.groups[0]?.error ?? '';
  expect(error).toContain('kaboom: disk on fire');
  expect(error).toMatch(/exit code 7/);
  expect(s.output('cmd')).toBeUndefined();
});

test('undo runs at shutdown, with the values recorded at startup, even from a new Scheduler', async () => {
  const stateFile = await stateIn();
  const marker = join(stateFile, '..', 'undone.txt');
  {
    await using s = await Scheduler.open({ stateFile });
    await s.scheduleAll([
      { name: 'db', provisioners: [nodeScript('console.log("db-42")')] },
      {
        name: 'migrate',
        dependsOn: ['db'],
        provisioners: [
          nodeScript('console.log("migrated")', [], {
            undo: {
              command: process.execPath,
              args: [
                '-e',
                'require("node:fs").writeFileSync(process.argv[1], process.argv[2])',
                marker,
                'undo for {{dependencies.db.stdout}}',
              ],
            },
          }),
        ],
      },
    ]);
    expect((await s.run()).ok).toBe(true);
    expect((s.output('migrate') as LocalCommandOutput).stdout).toBe('migrated');
    expect(existsSync(marker)).toBe(false); // undo is not run at startup
  }
  await using later = await Scheduler.open({ stateFile });
  const summary = await later.teardown();
  expect(summary).toMatchObject({ ok: true, failed: [] });
  expect(summary.removed.sort()).toEqual(['db', 'migrate']);
  expect(readFileSync(marker, 'utf8')).toBe('undo for db-42');
});
