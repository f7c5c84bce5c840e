// The SSH transport: connectSsh and the SshMachine it returns.
export { connectSsh } from './connect.js';
export type { SshConnectOptions } from './connect.js';
export { SshMachine } from './ssh-machine.js';
export { hostKeyFingerprint } from './host-key.js';
export { writeSshdConfig, ensurePrivsepDir, SSHD_PATH } from './sshd-config.js';
export type { SshdConfig, SshdConfigOptions } from './sshd-config.js';
