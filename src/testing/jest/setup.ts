// `groundwork/jest/setup`: Jest's globalSetup. Options: the jest config's testEnvironmentOptions.groundwork.
import { bringUpCluster } from '../cluster-hooks.js';
import { jestOptions, type JestProjectConfig } from './options.js';
import { outputsFileFor, writeOutputs } from './outputs-file.js';

/** Provisions the groups, tearing down first what an interrupted run left (or, with keep, reusing it). */
export default async function groundworkJestSetup(_global: unknown, project: JestProjectConfig): Promise<void> {
  const cluster = await bringUpCluster(jestOptions(project), 'groundwork/jest/setup');
  await writeOutputs(outputsFileFor(cluster.stateFile), cluster.outputs);
}
