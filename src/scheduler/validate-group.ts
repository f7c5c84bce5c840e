import { ConfigError } from '../errors.js';
import type { Provisioner } from '../provisioners/contract.js';

const GROUP_NAME = /^[A-Za-z][\w.-]*$/;

export function assertGroupName(name: unknown, field = 'group'): asserts name is string {
  if (typeof name !== 'string' || !GROUP_NAME.test(name)) {
    throw new ConfigError(
      `Expected \`${field}\` to be a group name (a letter, then letters, digits, "_", "." or "-"), got ${JSON.stringify(name)}.`,
    );
  }
}

export function assertProvisioners(group: string, value: unknown, field: string): asserts value is Provisioner[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigError(`Expected \`${field}\` of group "${group}" to be a non-empty array of provisioners, got ${describe(value)}.`, {
      group,
    });
  }
  value.forEach((p: unknown, i) => {
    for (const method of ['startup', 'shutdown', 'report'] as const) {
      if (typeof (p as Record<string, unknown> | null)?.[method] !== 'function') {
        throw new ConfigError(
          `\`${field}[${i}]\` of group "${group}" (${describe(p)}) has no ${method}() method; a provisioner needs startup(), shutdown() and report().`,
          { group, step: i },
        );
      }
    }
  });
}

export function assertDependsOn(group: string, value: unknown, field: string): asserts value is string[] {
  if (!Array.isArray(value) || value.some((d) => typeof d !== 'string')) {
    throw new ConfigError(`Expected \`${field}\` of group "${group}" to be an array of group names, got ${describe(value)}.`, { group });
  }
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return JSON.stringify(value); // `[]`, not "Array"
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return `${typeof value} ${JSON.stringify(value)}`;
}
