import { describeError } from '../errors.js';
import type { Provisioner } from '../provisioners/contract.js';

/** A provisioner's report() as strings; a throwing report() is shown, never fatal. */
export function reportLines(provisioner: Provisioner): string[] {
  try {
    const lines: unknown = provisioner.report();
    return Array.isArray(lines) ? lines.map(String) : [String(lines)];
  } catch (error) {
    return [`(report unavailable: ${describeError(error)})`];
  }
}
