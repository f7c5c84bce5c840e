// The cluster suite's global setup: the prerequisites (sshd, PostgreSQL 15, nginx from
// Debian's packages, via the scripts/ensure-*.sh), then one bring-up of the cluster
// for every test file through Groundwork's vitest helper (GROUNDWORK_KEEP=1 keeps it
// for the next run). Outside CI a missing root or package is a skip with its reason;
// in CI it is a failure.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { silentLogger } from '../../../src/index.js';
import { groundworkGlobalSetup } from '../../../src/testing/vitest.js';
import { CLUSTER_CONFIG } from './cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Whether the cluster is up; `reason` says why not. */
    cluster: { available: boolean; reason: string };
  }
}

interface Project {
  provide(key: 'cluster', value: { available: boolean; reason: string }): void;
  provide(key: 'groundwork', value: Record<string, unknown>): void;
}

const SCRIPTS = ['ensure-sshd.sh', 'ensure-postgres.sh', 'ensure-nginx.sh'].map((s) =>
  fileURLToPath(new URL(`../../../scripts/${s}`, import.meta.url)),
);

async function missing(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'the cluster example needs root (network namespaces); run it as root';
  for (const script of SCRIPTS) {
    const result = await execa('sh', [script], { reject: false, all: true });
    if (result.exitCode !== 0) return `${script} exited ${result.exitCode}: ${result.all.trim().split('\n').slice(-3).join(' ')}`;
  }
  return undefined;
}

// bench/cluster-loop.ts reads how long the setup's own parts took from here.
const TIMINGS = process.env.CLUSTER_TIMINGS_FILE;
const timings: Record<string, number | string[]> = {};
const warnings: string[] = [];
const record = (key: string, since: number) => {
  timings[key] = Math.round(performance.now() - since);
  if (TIMINGS) writeFileSync(TIMINGS, JSON.stringify({ ...timings, warnings }));
};
// Warnings (a kept group found unhealthy and why) go to the bench's file; the library prints nothing.
const logger = { ...silentLogger, warn: (message: string) => void warnings.push(message) };

export default async function setup(project: Project): Promise<(() => Promise<void>) | undefined> {
  const t0 = performance.now();
  const reason = await missing();
  record('prerequisitesMs', t0);
  if (reason !== undefined) {
    if (process.env.CI === 'true') throw new Error(`cluster suite: ${reason}`); // in CI a missing component is a failure
    project.provide('cluster', { available: false, reason });
    project.provide('groundwork', {});
    return undefined;
  }
  const t1 = performance.now();
  const teardown = await groundworkGlobalSetup({ config: CLUSTER_CONFIG, ...(TIMINGS ? { logger } : {}) })(project);
  record('bringUpMs', t1);
  project.provide('cluster', { available: true, reason: '' });
  return async () => {
    const t2 = performance.now();
    await teardown();
    record('teardownMs', t2);
  };
}
