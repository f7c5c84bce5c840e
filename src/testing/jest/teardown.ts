// `groundwork/jest/teardown`: Jest's globalTeardown, the other half of groundwork/jest/setup.
import { tearDownCluster } from '../cluster-hooks.js';
import { jestOptions, type JestProjectConfig } from './options.js';
import { removeOutputs } from './outputs-file.js';

/** Tears the groups down (not with keep) and removes the outputs file. */
export default async function groundworkJestTeardown(_global: unknown, project: JestProjectConfig): Promise<void> {
  await removeOutputs();
  await tearDownCluster(jestOptions(project), 'groundwork/jest/teardown');
}
