import { createHash } from 'node:crypto';

/** The namespaces of one state start with this: `<prefix>-<first 8 chars of the state id>-`. */
export function stateTag(prefix: string, ownerId: string): string {
  return `${prefix}-${ownerId.replace(/-/g, '').slice(0, 8)}-`;
}

/** Deterministic, so a create cut short by a crash is found again: `gw-1a2b3c4d-web1`. */
export function namespaceName(prefix: string, ownerId: string, machine: string): string {
  return `${stateTag(prefix, ownerId)}${machine}`;
}

/** Interface names are limited to 15 characters, so the veth pair is named from a hash of the namespace. */
export function vethNames(namespace: string): { host: string; inner: string } {
  const hash = createHash('sha256').update(namespace).digest('hex').slice(0, 11);
  return { host: `gv${hash}h`, inner: `gv${hash}n` };
}
