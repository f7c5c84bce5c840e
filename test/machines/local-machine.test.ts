// LocalMachine: this host through execa, with the same result and error semantics as an SshMachine.
import { describe } from 'vitest';
import { LocalMachine } from '../../src/machines/local-machine.js';
import { machineContract } from './machine-contract.js';

describe('LocalMachine', () => {
  machineContract({ open: async () => new LocalMachine('here') });
});
