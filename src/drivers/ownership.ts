import { NotOwnedError } from '../errors.js';
import type { DriverContext } from './driver.js';
import type { MachineSpec } from './machine-spec.js';

/** Refuse to touch a machine whose reference carries another state's id, unless the context forces it. */
export function assertOwned(spec: MachineSpec, ctx: DriverContext): void {
  const ref = spec.reference;
  if (ref && ref.ownerId !== ctx.ownerId && !ctx.force) throw new NotOwnedError(spec.name, ref.ownerId, ctx.ownerId);
}

/** The machine is gone (or was never ours to remove): clear its reference and persist that, so no later run looks for it. */
export async function forgetReference(spec: MachineSpec, ctx: DriverContext): Promise<void> {
  spec.reference = undefined;
  await ctx.record(spec);
}
