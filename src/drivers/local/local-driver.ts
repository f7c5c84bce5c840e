import { LocalMachine } from '../../machines/local-machine.js';
import type { Machine } from '../../machines/machine.js';
import { driverConcurrency } from '../batch.js';
import type { Driver, DriverActions, DriverContext, PreflightCheck } from '../driver.js';
import type { MachineOptions, MachineSpec } from '../machine-spec.js';
import { assertOwned, forgetReference } from '../ownership.js';

/**
 * `local`: the machine is this host; commands run through execa. Allocate only
 * records the reference, stop and destroy never touch the host.
 */
export class LocalDriver implements Driver {
  readonly driverUrl = 'local';
  readonly concurrency: number;

  constructor(_url: string, config: Readonly<Record<string, unknown>>) {
    this.concurrency = driverConcurrency(config, 'local');
  }

  /** This host needs nothing. */
  async preflight(): Promise<PreflightCheck[]> {
    return [];
  }

  async allocateMachine(action: DriverActions, spec: MachineSpec, _options: MachineOptions, ctx: DriverContext): Promise<void> {
    if (spec.reference) return;
    await action.performAction(`use this host as machine ${spec.name}`, async () => {
      spec.reference = { driverUrl: this.driverUrl, ownerId: ctx.ownerId, ids: {}, address: '127.0.0.1' };
      await ctx.record(spec);
    });
  }

  async readyMachine(action: DriverActions, spec: MachineSpec, options: MachineOptions, ctx: DriverContext): Promise<Machine> {
    await this.allocateMachine(action, spec, options, ctx);
    return this.connectToMachine(spec);
  }

  async connectToMachine(spec: MachineSpec): Promise<Machine> {
    return new LocalMachine(spec.name);
  }

  async stopMachine(action: DriverActions): Promise<void> {
    action.reportProgress('the local machine is never powered off; nothing to stop');
  }

  async destroyMachine(action: DriverActions, spec: MachineSpec, ctx: DriverContext): Promise<void> {
    if (!spec.reference) return;
    assertOwned(spec, ctx);
    await action.performAction(`forget machine ${spec.name} (this host is left as it is)`, () => forgetReference(spec, ctx));
  }
}
