// Health on reuse in worker mode (pg-parity, issue 12): the submitting process runs the
// provisioned groups' `check(ctx)` itself, each provisioner revived from its snapshot in the
// database, with the ctx the single process builds (this machine's dataDir, the state's id).
import { systemClock } from '../clock.js';
import { checkGroups, type UnhealthyStep } from '../scheduler/health.js';
import type { StateStore } from '../state/store.js';
import { Ledger } from '../state/ledger.js';
import type { StateData } from '../state/types.js';
import type { SubmitContext } from './submitter.js';

/** A store over a state already read: the checks only read it (checkGroups refuses ctx.checkpoint()). */
function readOnlyStore(location: string, dataDir: string, data: StateData): StateStore {
  return {
    location,
    dataDir,
    open: async () => data,
    putGroups: async () => undefined,
    deleteGroup: async () => undefined,
    close: async () => undefined,
  };
}

/**
 * Check the provisioned groups among `groups` (those in `data`), as the
 * single process's checkHealth does; `group:unhealthy` goes to ctx.events.
 */
export async function checkStoredGroups(
  ctx: SubmitContext,
  data: StateData,
  groups: readonly string[],
  where: { location: string; dataDir: string },
  signal: AbortSignal,
): Promise<UnhealthyStep[]> {
  const ledger = new Ledger(readOnlyStore(where.location, where.dataDir, data), data);
  const rt = { ledger, registry: ctx.registry, drivers: ctx.drivers, events: ctx.events, logger: ctx.logger, clock: systemClock };
  return checkGroups(
    rt,
    groups.filter((g) => data.groups[g] !== undefined),
    { signal },
  );
}
