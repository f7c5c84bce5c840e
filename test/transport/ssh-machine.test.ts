// SshMachine against a real OpenSSH sshd on a loopback port: the Machine contract, then what only SSH does.
import { describe, expect, test } from 'vitest';
import { connectTo, sshdAvailability, useSshd } from '../helpers/sshd.js';
import { machineContract } from '../machines/machine-contract.js';

const sshd = sshdAvailability();

describe.skipIf(!sshd.available)(`SshMachine ${sshd.reason}`, () => {
  const fixture = useSshd();
  const machine = machineContract({ open: () => connectTo(fixture.server) });

  test('a missing file names the SFTP status', async () => {
    await expect(machine().readFile('/nonexistent/groundwork-file')).rejects.toThrow(
      'readFile /nonexistent/groundwork-file on web1 failed: No such file',
    );
  });
});
