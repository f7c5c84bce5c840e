// How the outputs reach Jest's tests: Jest runs globalSetup in its own process and the
// tests in workers, which inherit its environment. So the setup writes the outputs as
// JSON next to the state file and puts that file's path in an environment variable.
import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { ConfigError } from '../../errors.js';

export const OUTPUTS_ENV = 'GROUNDWORK_OUTPUTS';

export function outputsFileFor(stateFile: string): string {
  return `${stateFile}.jest-outputs.json`;
}

export async function writeOutputs(file: string, outputs: Record<string, unknown>): Promise<void> {
  await writeFile(file, `${JSON.stringify(outputs)}\n`, { mode: 0o600 });
  process.env[OUTPUTS_ENV] = file;
}

export async function removeOutputs(): Promise<void> {
  const file = process.env[OUTPUTS_ENV];
  if (file) await rm(file, { force: true });
  delete process.env[OUTPUTS_ENV];
}

export function readOutputs(): Record<string, unknown> {
  const file = process.env[OUTPUTS_ENV];
  if (!file)
    throw new ConfigError(
      `${OUTPUTS_ENV} is not set: add globalSetup: 'groundwork/jest/setup' (and globalTeardown: 'groundwork/jest/teardown') to the jest config.`,
    );
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(
      `Cannot read the Groundwork outputs ${file} (${OUTPUTS_ENV}): ${(error as Error).message}; did globalSetup run?`,
      { cause: error },
    );
  }
}
