// Groundwork as a user gets it: `npm pack` (through prepack's build), installed into a
// fresh CommonJS project and a fresh ESM project, used there with a config and a
// tasks.ts in TypeScript and the user's own provisioner class, and type-checked by the
// user's own tsc without skipLibCheck or extra @types packages.
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixture, ROOT } from '../helpers/paths.js';

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
