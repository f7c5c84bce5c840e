import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { DriverError } from '../errors.js';
import type { Driver, PreflightCheck } from './driver.js';

/** True when `file` exists and this process may execute it. */
export async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first `name` on PATH (or in the usual sbin folders, which a non-login root PATH may lack). */
export async function findOnPath(name: string, path = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of [...path.split(delimiter).filter(Boolean), '/usr/sbin', '/sbin']) {
    if (await isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Run the driver's preflight; throw one error listing every failed check and its fix. */
export async function assertPreflight(driver: Driver): Promise<void> {
  const failed = ((await driver.preflight?.()) ?? []).filter((c) => !c.ok);
  if (failed.length === 0) return;
  const scheme = driver.driverUrl.split(':', 1)[0];
  const lines = failed.map((c) => `${scheme} driver needs ${c.what}${c.fix ? `: ${c.fix}` : ''}`);
  throw new DriverError(
    `${lines.join('; ')} (${driver.driverUrl}; nothing was allocated; \`groundwork doctor\` runs these checks).`,
    { driverUrl: driver.driverUrl },
  );
}

/** Shorthand for a check. */
export function check(what: string, ok: boolean, fix: string): PreflightCheck {
  return ok ? { what, ok } : { what, ok, fix };
}
