import { describeError, DriverError } from '../../errors.js';
import type { ActionHandler } from '../action-handler.js';
import { allocateMachines, fanOut, readyMachines, throwIfFailed } from '../../drivers/batch.js';
import type { Driver, DriverContext, MachineRequest } from '../../drivers/driver.js';
import type { Machine } from '../../machines/machine.js';

/** A machine provisioner's steps, in order; each one is checkpointed when every machine has passed it. */
export const MachineStage = {
  New: 'new',
  Allocated: 'allocated',
  Ready: 'ready',
  SetUp: 'set-up',
  Converged: 'converged',
} as const;
export type MachineStage = (typeof MachineStage)[keyof typeof MachineStage];

const ORDER: readonly MachineStage[] = Object.values(MachineStage);

/** The stage after `from`; moving anywhere else (other than back to New on destroy) is a bug. */
export function nextStage(from: MachineStage): MachineStage {
  const next = ORDER[ORDER.indexOf(from) + 1];
  if (!next) throw new Error(`no stage after ${from}`); // invariant: callers never move past the last stage; never reaches a user
  return next;
}

export function reached(stage: MachineStage, target: MachineStage): boolean {
  return ORDER.indexOf(stage) >= ORDER.indexOf(target);
}

export async function allocateAll(
  driver: Driver,
  action: ActionHandler,
  requests: readonly MachineRequest[],
  ctx: DriverContext,
): Promise<void> {
  throwIfFailed('Allocate', await allocateMachines(driver, action, requests, ctx));
}

/**
 * Ready every machine. "Reboot a server that didn't provision correctly": a
 * machine whose ready fails is stopped and readied once more; if that fails
 * too, the error carries the first cause. Returns connected machines (the
 * caller closes them); on failure, the ones that did connect are closed.
 */
export async function readyAll(
  driver: Driver,
  action: ActionHandler,
  requests: readonly MachineRequest[],
  ctx: DriverContext,
): Promise<Machine[]> {
  const first = await readyMachines(driver, action, requests, ctx);
  const results = await fanOut(
    first,
    driver.concurrency,
    (r) => r.machine,
    async (result) => {
      if (result.ok) return result.value;
      const request = requests.find((r) => r.spec.name === result.machine)!;
      const handler = action.forMachine(result.machine);
      handler.reportProgress(`not ready (${describeError(result.error)}); stopping and starting it once more`);
      try {
        await driver.stopMachine(handler, request.spec, ctx);
        return await driver.readyMachine(handler, request.spec, request.options, ctx);
      } catch (again) {
        throw new DriverError(
          `still not ready after a stop and start: ${describeError(again)} (first failure: ${describeError(result.error)})`,
          {
            machine: result.machine,
            cause: result.error,
          },
        );
      }
    },
  );
  if (results.some((r) => !r.ok)) await closeAll(results.flatMap((r) => (r.ok ? [r.value] : [])));
  return throwIfFailed('Ready', results);
}

/** Run each command, in order, on every machine (machines in parallel); output goes to the logger. */
export async function runCommands(
  stage: string,
  commands: readonly string[],
  machines: readonly Machine[],
  action: ActionHandler,
  options: { timeout: number; signal: AbortSignal; concurrency: number },
): Promise<void> {
  if (commands.length === 0) return;
  const results = await fanOut(
    machines,
    options.concurrency,
    (m) => m.name,
    async (machine) => {
      const handler = action.forMachine(machine.name);
      for (const command of commands) {
        await handler.performAction(`run \`${command}\` (${stage})`, async () => {
          const result = await machine.execute(command, { timeout: options.timeout, signal: options.signal });
          if (result.stdout) handler.reportProgress(result.stdout);
        });
      }
    },
  );
  throwIfFailed(stage === 'setup' ? 'Setup' : 'Converge', results);
}

export async function closeAll(machines: readonly Machine[]): Promise<void> {
  await Promise.allSettled(machines.map((m) => m.close()));
}
