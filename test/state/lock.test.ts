import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, onTestFinished, test } from 'vitest';
import { GroupState, Scheduler, StateFileError, StateLockedError } from '../../src/index.js';
import { readStateFile } from '../../src/state/file-store.js';
import { spawnTs, untilOutput, type Child } from '../helpers/children.js';
import { fixture, ROOT } from '../helpers/paths.js';
import { Tagged } from '../helpers/provisioners.js';
import { openError } from '../helpers/state.js';
import { tempDir } from '../helpers/temp.js';
import { isRunning } from '../helpers/wait.js';

/** Start hold-lock.ts on `stateFile` and resolve once it holds the lock (it says "ready"). */
async function holdLock(stateFile: string): Promise<Child> {
  const child = spawnTs([fixture('hold-lock.ts'), stateFile]);
  await untilOutput(child, 'stdout', `ready ${child.pid}\n`);
  return child;
}

describe('a lock held by another process', () => {
  test('Scheduler.open is refused with StateLockedError naming the pid', async () => {
    const dir = await tempDir();
    const file = join(dir, 'state.json');
    const child = await holdLock(file);

    const lock = JSON.parse(await readFile(`${file}.lock`, 'utf8')) as { pid: number };
    expect(lock.pid).toBe(child.pid);

    const error = await openError(file);
    expect(error).toBeInstanceOf(StateLockedError);
    const e = error as StateLockedError;
    expect(e.code).toBe('GW_LOCKED');
    expect(e.message).toContain(`locked by pid ${child.pid}`);
    expect(e.message).toContain(file);
    expect(e.owner.pid).toBe(child.pid);
    expect(e.file).toBe(file);
    // The refused open left the other process's lock alone.
    expect(JSON.parse(await readFile(`${file}.lock`, 'utf8'))).toMatchObject({ pid: child.pid });

    // A graceful stop releases the lock, and then the file opens.
    child.proc.kill('SIGTERM');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(`${file}.lock`)).toBe(false);
    const s = await Scheduler.open({ stateFile: file });
    await s.close();
  });

  test('the CLI exits with code 3 for teardown and provision, while status still reads the state', async () => {
    const dir = await tempDir();
    const file = join(dir, 'state.json');
    // Something in the state for status to show.
    const setup = await Scheduler.open({ stateFile: file });
    await setup.schedule('web', [new Tagged('w')]);
    await setup.close();
    const before = await readFile(file);

    const config = join(dir, 'groundwork.config.mts');
    await writeFile(
      config,
      [
        `import { defineConfig, registerProvisioner } from ${JSON.stringify(pathToFileURL(join(ROOT, 'src/index.ts')).href)};`,
        `import { writeFileSync } from 'node:fs';`,
        `class Touch {`,
        `  name = '';`,
        `  startup() { writeFileSync(${JSON.stringify(join(dir, 'touched'))}, 'x'); return true; }`,
        `  shutdown() { return true; }`,
        `  report() { return []; }`,
        `}`,
        `registerProvisioner(Touch, 'lock-test:Touch');`,
        `export default defineConfig({ groups: { api: { provisioners: () => [new Touch()] } } });`,
        ``,
      ].join('\n'),
    );

    const holder = await holdLock(file);

    const [teardown, provision, status] = [
      spawnTs([join(ROOT, 'tasks.ts'), 'teardown', '--state', file]),
      // No tsx disk cache for the temp config: nothing of this test outlives it.
      spawnTs([join(ROOT, 'tasks.ts'), 'provision', '--state', file, '--config', config], { TSX_DISABLE_CACHE: '1' }),
      spawnTs([join(ROOT, 'tasks.ts'), 'status', '--json', '--state', file]),
    ];

    expect(await teardown.exited, teardown.stderr()).toEqual({ code: 3, signal: null });
    expect(teardown.stderr()).toContain(`locked by pid ${holder.pid}`);

    expect(await provision.exited, provision.stderr()).toEqual({ code: 3, signal: null });
    expect(provision.stderr()).toContain(`locked by pid ${holder.pid}`);
    expect(existsSync(join(dir, 'touched'))).toBe(false);

    expect(await status.exited, status.stderr()).toEqual({ code: 0, signal: null });
    const report = JSON.parse(status.stdout()) as { groups: { name: string; state: string }[] };
    expect(report.groups).toEqual([expect.objectContaining({ name: 'web', state: GroupState.Pending })]);

    // Nobody touched the state or took the lock over.
    expect(await readFile(file)).toEqual(before);
    expect(JSON.parse(await readFile(`${file}.lock`, 'utf8'))).toMatchObject({ pid: holder.pid });
    expect(isRunning(holder.pid)).toBe(true);
  });

  test('a lock left by a process killed with SIGKILL is taken over', async () => {
    const dir = await tempDir();
    const file = join(dir, 'state.json');
    const child = await holdLock(file);

    child.proc.kill('SIGKILL');
    expect(await child.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(isRunning(child.pid)).toBe(false);
    // kill -9 gave it no chance to release the lock.
    expect(JSON.parse(await readFile(`${file}.lock`, 'utf8'))).toMatchObject({ pid: child.pid });

    const s = await Scheduler.open({ stateFile: file });
    try {
      expect(JSON.parse(await readFile(`${file}.lock`, 'utf8'))).toMatchObject({ pid: process.pid });
      await s.schedule('after', [new Tagged('a')]);
      expect(Object.keys((await readStateFile(file))!.groups)).toEqual(['after']);
      // And now it is this process that keeps others out.
      const error = await openError(file);
      expect(error).toBeInstanceOf(StateLockedError);
      expect((error as Error).message).toContain(`locked by pid ${process.pid}`);
    } finally {
      await s.close();
    }
    expect(existsSync(`${file}.lock`)).toBe(false);
    expect((await readdir(dir)).sort()).toEqual(['state.json', 'state.json.prev']);
  });
});

describe('a lock held in this process', () => {
  test('a second open of the same file is refused until the first closes', async () => {
    const dir = await tempDir();
    const file = join(dir, 'state.json');
    const first = await Scheduler.open({ stateFile: file });
    let firstOpen = true;
    onTestFinished(async () => {
      if (firstOpen) await first.close();
    });
    await first.schedule('db', [new Tagged('d')]);

    const error = await openError(file);
    expect(error).toBeInstanceOf(StateLockedError);
    expect((error as StateLockedError).message).toContain(`locked by pid ${process.pid}`);
    expect((error as StateLockedError).owner.pid).toBe(process.pid);

    // The refused open did not release or break the first one's lock.
    expect(JSON.parse(await readFile(`${file}.lock`, 'utf8'))).toMatchObject({ pid: process.pid });
    await first.schedule('app', [new Tagged('a')], { dependsOn: ['db'] });
    expect(await openError(file)).toBeInstanceOf(StateLockedError);

    await first.close();
    firstOpen = false;
    expect(existsSync(`${file}.lock`)).toBe(false);

    const second = await Scheduler.open({ stateFile: file });
    try {
      expect(second.groups()).toEqual(['db', 'app']);
    } finally {
      await second.close();
    }
  });

  test('concurrent opens of one file: exactly one wins, the others get StateLockedError', async () => {
    const dir = await tempDir();
    // Repeated because the outcome depends on how the opens interleave.
    for (let round = 0; round < 10; round++) {
      const file = join(dir, `state-${round}.json`);
      const results = await Promise.allSettled([Scheduler.open({ stateFile: file }), Scheduler.open({ stateFile: file })]);
      for (const r of results) if (r.status === 'fulfilled') await r.value.close();

      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const reasons = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
      expect(
        reasons.map((r) => r.name),
        reasons.map((r) => r.message).join('\n'),
      ).toEqual(['StateLockedError']);
      expect(reasons[0]).not.toBeInstanceOf(StateFileError);
    }
    expect((await readdir(dir)).filter((f) => f.endsWith('.lock') || f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('a lock whose pid was reused', () => {
  test('is taken over when the live pid has another start time, and kept when it is the owner', async () => {
    const dir = await tempDir();
    const stateFile = join(dir, 'state.json');
    const lock = `${stateFile}.lock`;
    // A live pid (this very process) but the start time of some earlier process: the owner is gone.
    await writeFile(lock, JSON.stringify({ pid: process.pid, host: hostname(), since: '2020-01-01T00:00:00.000Z', startTime: 1 }));
    const scheduler = await Scheduler.open({ stateFile });
    const owner = JSON.parse(await readFile(lock, 'utf8')) as { pid: number; startTime: number; since: string };
    expect(owner.since).not.toBe('2020-01-01T00:00:00.000Z');
    expect(owner.startTime).toBeGreaterThan(1);

    // The same pid with its real start time is the live owner: refused.
    const refused = await Scheduler.open({ stateFile }).then(
      (s) => s.close().then(() => undefined),
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(StateLockedError);
    await scheduler.close();
    expect(existsSync(lock)).toBe(false);
  });
});

describe('unlock and takeover', () => {
  test('a lock from another host names its id; `tasks.ts unlock` removes it only with that id', async () => {
    const dir = await tempDir();
    const file = join(dir, 'state.json');
    const owner = { id: 'a1b2c3d4-0000-4000-8000-000000000001', pid: 4121, host: 'build-host-7', since: '2026-11-22T03:00:00.000Z' };
    await writeFile(`${file}.lock`, JSON.stringify(owner));

    const error = await openError(file);
    expect(error).toBeInstanceOf(StateLockedError);
    expect((error as Error).message).toContain(`locked by pid 4121 (build-host-7, since 2026-11-22T03:00:00.000Z), lock id ${owner.id}`);
    expect((error as Error).message).toContain(`tasks.ts unlock ${owner.id}`);

    const wrong = spawnTs([join(ROOT, 'tasks.ts'), 'unlock', 'not-the-id', '--state', file]);
    expect((await wrong.exited).code).toBe(3);
    expect(wrong.stderr()).toContain(`its id is ${owner.id}, not not-the-id`);
    expect(JSON.parse(await readFile(`${file}.lock`, 'utf8'))).toEqual(owner);

    const right = spawnTs([join(ROOT, 'tasks.ts'), 'unlock', owner.id, '--state', file]);
    expect((await right.exited).code, right.stderr()).toBe(0);
    expect(right.stdout()).toContain(`Removed lock ${owner.id} of pid 4121 (build-host-7`);
    expect(existsSync(`${file}.lock`)).toBe(false);
    const s = await Scheduler.open({ stateFile: file });
    await s.close();
  });

  test('unlock refuses while the owner still runs on this host', async () => {
    const dir = await tempDir();
    const file = join(dir, 'state.json');
    const holder = await holdLock(file);
    const { id } = JSON.parse(await readFile(`${file}.lock`, 'utf8')) as { id: string };

    const cli = spawnTs([join(ROOT, 'tasks.ts'), 'unlock', id, '--state', file]);
    expect((await cli.exited).code).toBe(3);
    expect(cli.stderr()).toContain(`pid ${holder.pid} still holds it`);
    expect(JSON.parse(await readFile(`${file}.lock`, 'utf8'))).toMatchObject({ id, pid: holder.pid });
  });

  test('five processes taking over one stale lock at once: exactly one gets it', async () => {
    const dir = await tempDir();
    const file = join(dir, 'state.json');
    const dead = await holdLock(file);
    dead.proc.kill('SIGKILL');
    await dead.exited;

    const contenders = Array.from({ length: 5 }, () => spawnTs([fixture('hold-lock.ts'), file]));
    // Each either says "ready" (holding the lock, until killed) or exits refused.
    const outcomes = await Promise.all(
      contenders.map(
        (c) =>
          new Promise<'ready' | 'refused'>((resolve) => {
            const onData = () => c.stdout().includes('ready') && resolve('ready');
            c.proc.stdout.on('data', onData);
            void c.exited.then(() => resolve(c.stdout().includes('ready') ? 'ready' : 'refused'));
          }),
      ),
    );
    expect(outcomes.filter((o) => o === 'ready')).toHaveLength(1);
    const winner = contenders[outcomes.indexOf('ready')]!;
    for (const c of contenders.filter((c) => c !== winner)) {
      expect((await c.exited).code).not.toBe(0);
      expect(c.stderr()).toContain(`locked by pid ${winner.pid}`);
    }
    expect(JSON.parse(await readFile(`${file}.lock`, 'utf8'))).toMatchObject({ pid: winner.pid });
    winner.proc.kill('SIGTERM');
    expect((await winner.exited).code).toBe(0);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});
