// Shared by the loomCluster tests: the fixture plugins' folder, their events log, and running a spec in-process.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loomCluster, Scheduler, type LoomClusterSpec, type Logger, type RunSummary } from '../../src/index.js';
import { fixture } from '../helpers/paths.js';

export const PLUGIN_DIR = fixture('plugins-cluster/plugins');

export interface Event {
  task: string;
  [key: string]: unknown;
}

export function events(dir: string): Event[] {
  let text = '';
  try {
    text = readFileSync(join(dir, 'events.log'), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Event);
}

export function eventsOf(dir: string, task: string): Event[] {
  return events(dir).filter((e) => e.task === task);
}

/** A logger that keeps warnings (the results-flow warning is one). */
export function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, warn: (m) => void warnings.push(m), error: (m) => void warnings.push(m) };
}

/** Open a scheduler on `stateFile` and schedule the groups loomCluster makes of `spec`. */
export async function openCluster(spec: LoomClusterSpec, stateFile: string, logger?: Logger): Promise<Scheduler> {
  const groups = loomCluster(spec);
  const scheduler = await Scheduler.open({ stateFile, ...(logger ? { logger } : {}) });
  await scheduler.scheduleAll(
    Object.entries(groups).map(([name, g]) => ({ name, provisioners: g.provisioners, dependsOn: g.dependsOn ?? [] })),
  );
  return scheduler;
}

/** fakeprov + recauto fields for a fixture folder. */
export function fixtureSpec(
  dir: string,
  spec: Omit<LoomClusterSpec, 'provider' | 'pluginDirs'> & { provider?: LoomClusterSpec['provider'] },
): LoomClusterSpec {
  return {
    pluginDirs: [PLUGIN_DIR],
    provider: { type: 'fakeprov', fields: { dir } },
    automators: { recauto: { fields: { dir } } },
    ...spec,
  };
}

/** How each group ended in a run, by name. */
export function states(summary: RunSummary): Record<string, string> {
  return Object.fromEntries(summary.groups.map((g) => [g.group, g.state]));
}

/** Everything the state holds on disk right now: the snapshot and its journal. */
export function stateOnDisk(stateFile: string): string {
  const read = (f: string) => {
    try {
      return readFileSync(f, 'latin1');
    } catch {
      return '';
    }
  };
  return read(stateFile) + read(`${stateFile}.journal`);
}
