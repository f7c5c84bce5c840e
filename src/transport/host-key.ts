import { createHash } from 'node:crypto';

/** OpenSSH's fingerprint of a raw host key: `SHA256:` and unpadded base64, as `ssh-keygen -lf` prints it. */
export function hostKeyFingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** A pinned fingerprint must look like OpenSSH's `SHA256:…`. */
export function isFingerprint(value: string): boolean {
  return /^SHA256:[A-Za-z0-9+/]{43}$/.test(value);
}
