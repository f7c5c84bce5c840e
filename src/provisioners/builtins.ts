import type { ProvisionerClass } from './contract.js';
import { HttpCheck } from './http-check.js';
import { LocalCommand } from './local-command.js';
import { LocalService } from './local-service.js';
import { Machines } from './machines/machines.js';
import { RunOnMachines } from './machines/run-on-machines.js';

/** Provisioner classes every registry knows. */
export function builtinProvisioners(): ProvisionerClass[] {
  return [LocalCommand, LocalService, HttpCheck, Machines, RunOnMachines];
}
