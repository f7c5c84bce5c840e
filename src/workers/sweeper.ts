import type pg from 'pg';
import type { Logger } from '../logger.js';
import { inTransaction } from './db.js';
import { enqueueStep } from './flow.js';
import { leaseIsFree, orphanedSteps } from './lease.js';
import { JobKind, type StepQueue } from './queue.js';
import { lockGroupSteps } from './rows.js';

/**
 * Hand every step whose worker is gone (its lease no longer held) to a new
 * attempt: the old attempt's job is completed, the step's attempt bumped (so
 * the old worker's late writes are refused) and a job for the new attempt
 * enqueued, in one transaction. Every worker and the submitter run this every
 * ~second; the row locks and the lease check make concurrent sweeps harmless.
 * Returns how many steps were handed over.
 */
export async function sweep(pool: pg.Pool, queue: StepQueue, state: string, logger: Logger): Promise<number> {
  let handed = 0;
  for (const o of await orphanedSteps(pool, state)) {
    const moved = await inTransaction(pool, async (c, db) => {
      const row = (await lockGroupSteps(c, state, o.group))?.steps[o.step];
      if (!row || row.attempt !== o.attempt || row.worker !== o.worker) return false; // it moved on meanwhile
      if (!(await leaseIsFree(c, o))) return false; // its worker is back (reconnected) or still there
      const kind = o.stopping ? JobKind.Down : JobKind.Up;
      // A step its worker took straight on (its group's next, a dependent's first) has no job to complete.
      const old = await queue.activeJobOf(db, { state, group: o.group, step: o.step, attempt: o.attempt, kind });
      if (old) await queue.complete(db, old);
      await enqueueStep({ db: c, queue, state }, o.group, row, kind);
      return true;
    });
    if (moved) {
      handed++;
      logger.warn(
        `worker ${o.worker} lost its lease on group "${o.group}" step ${o.step + 1} (attempt ${o.attempt}); handed to attempt ${o.attempt + 1}`,
      );
    }
  }
  return handed;
}
