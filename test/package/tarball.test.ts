// Groundwork as a user gets it: `npm pack` (through prepack's build), installed into a
// fresh CommonJS project and a fresh ESM project, used there with a config and a
// tasks.ts in TypeScript and the user's own provisioner class, and type-checked by the
// user's own tsc without skipLibCheck or extra @types packages.
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixture, ROOT } from '../helpers/paths.js';
import { postgresAvailability, startPostgres, type StartedPostgres } from '../helpers/postgres.js';

const KINDS = ['commonjs', 'module'] as const;
type Kind = (typeof KINDS)[number];

let work: string;
const projects = new Map<Kind, string>();

// Packing builds the package (~40 s) and each install (with vitest and jest, for the
// hooks) reads the npm registry or its cache: done once for the file, both projects
// installed in parallel; minutes on a loaded machine.
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'groundwork-pack-'));
  const packed = await execa('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT });
  const tarball = join(work, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]!.filename);
  await Promise.all(KINDS.map(async (kind) => projects.set(kind, await makeProject(kind, tarball))));
}, 600_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

async function makeProject(kind: Kind, tarball: string): Promise<string> {
  const dir = join(work, kind);
  await mkdir(dir);
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: `user-${kind}`, version: '1.0.0', private: true, type: kind }, null, 2),
  );
  await cp(fixture('user-project'), dir, { recursive: true });
  // The test runners the hooks are checked with (already in the npm cache as our devDependencies).
  await execa(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
      tarball,
      'typescript@5.9.3',
      'vitest@4.1.12',
      'jest@30.5.2',
    ],
    {
      cwd: dir,
    },
  );
  return dir;
}

function inProject(kind: Kind) {
  const cwd = projects.get(kind)!;
  const env = { GW_MARKERS: cwd, CI: 'true' };
  return {
    cwd,
    run: (command: string, args: string[], extraEnv: Record<string, string> = {}) =>
      execa(command, args, { cwd, env: { ...env, ...extraEnv }, reject: false }),
  };
}

// Each test runs whole commands (npx, tsx, tsc) in a child process: minutes on a loaded machine.
describe.each(KINDS)('in a fresh %s project', { timeout: 180_000 }, (kind) => {
  test('the tarball holds compiled JavaScript and declarations, no sources, tests or CI files', async () => {
    const { cwd } = inProject(kind);
    const pkg = join(cwd, 'node_modules/groundwork');
    expect(existsSync(join(pkg, 'dist/index.js'))).toBe(true);
    expect(existsSync(join(pkg, 'dist/index.cjs'))).toBe(true);
    expect(existsSync(join(pkg, 'dist/index.d.ts'))).toBe(true);
    for (const absent of ['src', 'test', '.ci', 'bench', 'tasks.ts']) expect(existsSync(join(pkg, absent))).toBe(false);
  });

  test('npx groundwork provision, status --json, then npx tsx tasks.ts teardown removes what was made', async () => {
    const { cwd, run } = inProject(kind);
    const provision = await run('npx', ['groundwork', 'provision']);
    expect(provision.stderr).toBe('');
    expect(provision.exitCode).toBe(0);
    expect(await readFile(join(cwd, 'db.marker'), 'utf8')).toBe('up\n');
    expect(existsSync(join(cwd, 'app.marker'))).toBe(true);

    const status = await run('npx', ['groundwork', 'status', '--json']);
    expect(status.exitCode).toBe(0);
    const report = JSON.parse(status.stdout) as { groups: Array<{ name: string; state: string; steps: Array<{ report: string[] }> }> };
    expect(report.groups.map((g) => [g.name, g.state]).sort()).toEqual([
      ['app', 'provisioned'],
      ['db', 'provisioned'],
    ]);
    expect(report.groups.find((g) => g.name === 'db')!.steps[0]!.report).toEqual([`marker ${join(cwd, 'db.marker')}`]);

    const teardown = await run('npx', ['tsx', 'tasks.ts', 'teardown']);
    expect(teardown.exitCode).toBe(0);
    expect(teardown.stdout).toContain('Torn down 2 group(s).');
    expect(existsSync(join(cwd, 'db.marker'))).toBe(false);
    expect(existsSync(join(cwd, 'app.marker'))).toBe(false);
    // The config's temporary bundle is removed once imported.
    expect((await execa('ls', [cwd])).stdout).not.toContain('.timestamp-');
  });

  test('require() and import() both load the library', async () => {
    const { run } = inProject(kind);
    const required = await run('node', ['-e', "process.stdout.write(typeof require('groundwork').Scheduler)"]);
    expect(required.stdout).toBe('function');
    const imported = await run('node', [
      '--input-type=module',
      '-e',
      "const m = await import('groundwork'); process.stdout.write(typeof m.Scheduler)",
    ]);
    expect(imported.stdout).toBe('function');
  });

  test('Jest with globalSetup groundwork/jest/setup and globalTeardown groundwork/jest/teardown: the test reads the outputs, then all is torn down', async () => {
    const { cwd, run } = inProject(kind);
    const markers = join(cwd, 'jest-markers');
    const seen = join(cwd, 'jest-seen.txt');
    await mkdir(markers);
    const jest = await run('npx', ['jest', '--config', 'jest.config.cjs'], { GW_MARKERS: markers, GW_SEEN: seen });
    expect(jest.exitCode, `${jest.stdout}\n${jest.stderr}`).toBe(0);
    expect(jest.stderr).toMatch(/Tests:\s+1 passed, 1 total/);

    // The test saw the app group's output; app came with its dependency db.
    expect(await readFile(seen, 'utf8')).toBe(`${join(markers, 'app.marker')}\n`);
    // globalTeardown removed what the provisioners made, emptied the state and removed the outputs file.
    expect(await readdir(markers)).toEqual([]);
    const state = JSON.parse(await readFile(join(cwd, 'jest-state/state.json'), 'utf8')) as { groups: Record<string, unknown> };
    expect(state.groups).toEqual({});
    expect(await readdir(join(cwd, 'jest-state'))).not.toContain('state.json.jest-outputs.json');
  });

  test("the user's tsc type-checks a file using the library without skipLibCheck", async () => {
    const { run } = inProject(kind);
    const tsc = await run('npx', ['tsc', '-p', 'tsconfig.json']);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.exitCode).toBe(0);
  });
});

// Scale out (issue 12) as a user does it, in the CommonJS project: two `groundwork worker`s and a
// `groundwork provision` on one database bring the config up, `status` names the worker of each
// step, and `teardown` runs the shutdowns on the workers too.
describe('scale out from the user project', { timeout: 240_000 }, () => {
  let cluster: StartedPostgres | undefined;
  beforeAll(async () => {
    if ((await postgresAvailability()).available) cluster = await startPostgres({ name: 'pack' });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  test('two workers and a provision on GROUNDWORK_DATABASE_URL; status shows the workers; teardown', async (ctx) => {
    if (!cluster) return ctx.skip((await postgresAvailability()).reason);
    const { cwd, run } = inProject('commonjs');
    const env = { GROUNDWORK_DATABASE_URL: await cluster.createDatabase('user_project') };
    // The bin npx runs, started directly so that the pid is the worker's own.
    const bin = join(cwd, 'node_modules/.bin/groundwork');
    const startWorker = () => execa(bin, ['worker', '--concurrency', '2'], { cwd, env: { GW_MARKERS: cwd, ...env }, reject: false });
    const workers = [startWorker(), startWorker()];
    try {
      await Promise.all(workers.map((w) => untilStderr(w, /worker \S+ started/)));
      const provision = await run('npx', ['groundwork', 'provision', '--no-work'], env);
      expect(provision.exitCode, provision.stderr).toBe(0);
      expect(existsSync(join(cwd, 'db.marker')) && existsSync(join(cwd, 'app.marker'))).toBe(true);

      const status = await run('npx', ['groundwork', 'status'], env);
      expect(status.exitCode, status.stderr).toBe(0);
      const ran = [...status.stdout.matchAll(/\(worker \S+-(\d+)-[0-9a-f]+\)/g)].map((m) => Number(m[1]));
      expect(ran).toHaveLength(2);
      for (const pid of ran) expect(workers.map((w) => w.pid)).toContain(pid);
      expect(status.stdout).toContain(`state "${basename(cwd)}" in postgres://`);
      expect(status.stdout + status.stderr).not.toContain(cluster.password);

      const teardown = await run('npx', ['groundwork', 'teardown'], env);
      expect(teardown.exitCode, teardown.stderr).toBe(0);
      expect(teardown.stdout).toContain('Torn down 2 group(s).');
      expect(existsSync(join(cwd, 'db.marker')) || existsSync(join(cwd, 'app.marker'))).toBe(false);
    } finally {
      for (const w of workers) w.kill('SIGTERM');
      const exits = await Promise.all(workers);
      expect(exits.map((e) => e.exitCode)).toEqual([0, 0]);
    }
  });
});

/** Resolves once the child's stderr matches `re`; rejects if it exits first. */
function untilStderr(
  child: { stderr: NodeJS.ReadableStream | null } & PromiseLike<{ exitCode?: number | undefined; signal?: string | undefined }>,
  re: RegExp,
): Promise<void> {
  let err = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      if (re.test(err)) resolve();
    });
    void child.then((r) => reject(new Error(`exited (${r.exitCode ?? r.signal}) before ${re}: ${err}`)));
  });
}
