import pg from 'pg';
import { GroundworkError } from '../errors.js';
import type { SchedulerEventMap, SchedulerEventName, SchedulerEvents } from '../events.js';
import { GroupState } from '../state/types.js';
import { heldTargets } from './held.js';
import { EVENTS_CHANNEL, type WireEvent } from './notify.js';
import { Wake } from './wake.js';

/** An error as it came through NOTIFY (message and code; the stack stays in the steps row). */
class WireError extends Error {
  readonly code: string | undefined;
  constructor(e: { message: string; code?: string }) {
    super(e.message);
    this.code = e.code;
  }
}

/** The events that end a group's provisioning or teardown (a target may be settled). */
const GROUP_ENDS = new Set(['group:finish', 'group:fail', 'group:blocked', 'deprovision:finish', 'deprovision:fail']);
const SETTLES = { up: new Set(['group:finish', 'group:fail', 'group:blocked']), down: new Set(['deprovision:finish', 'deprovision:fail']) };

function revive(type: string, payload: Record<string, unknown>): unknown {
  const out: Record<string, unknown> = { ...payload };
  const error = payload['error'] as { message: string; code?: string } | undefined;
  if (error) out['error'] = new WireError(error);
  if (type === 'deprovision:finish') out['failures'] = [];
  return out;
}

/**
 * The workers' events for one state, heard through LISTEN and re-emitted as
 * scheduler events (so the CLI's progress renderers show a distributed run
 * as they show a local one). Reconnects after a lost connection.
 */
export class EventBridge {
  readonly #url: string;
  readonly #state: string;
  readonly #events: SchedulerEvents;
  /** Rung when a group ends (provisioned, failed, blocked, removed): what waitForTargets waits on. */
  readonly changed = new Wake();
  readonly #onGroupEnd = new Set<(type: string, group: string) => void>();
  #client: pg.Client | undefined;
  #closed = false;

  constructor(url: string, state: string, events: SchedulerEvents) {
    this.#url = url;
    this.#state = state;
    this.#events = events;
  }

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#url, application_name: 'groundwork-events' });
    client.on('error', () => {
      if (this.#client === client) this.#client = undefined;
      void client.end().catch(() => undefined);
    });
    client.on('notification', (n) => {
      if (n.channel !== EVENTS_CHANNEL || !n.payload) return;
      const wire = JSON.parse(n.payload) as WireEvent;
      if (wire.state !== this.#state) return;
      this.#events.emit(wire.type as SchedulerEventName, revive(wire.type, wire.payload) as SchedulerEventMap[SchedulerEventName]);
      if (GROUP_ENDS.has(wire.type)) {
        for (const listener of this.#onGroupEnd) listener(wire.type, String(wire.payload['group']));
        this.changed.ring();
      }
    });
    await client.connect();
    await client.query(`listen ${EVENTS_CHANNEL}`);
    this.#client = client;
  }

  /** Call `listener` with each group-end event (its type and group) until the returned function is called. */
  onGroupEnd(listener: (type: string, group: string) => void): () => void {
    this.#onGroupEnd.add(listener);
    return () => this.#onGroupEnd.delete(listener);
  }

  /** Reconnect if the connection was lost (PostgreSQL restarted); events sent meanwhile are missed, the state is re-read. */
  async ensure(): Promise<void> {
    if (!this.#client && !this.#closed) await this.start();
  }

  /**
   * A round trip on the LISTEN connection: the events of transactions already
   * committed come before its answer (pg-parity: the forced shutdown failures a
   * teardown reports once its groups are gone).
   */
  async flush(): Promise<void> {
    await this.#client?.query('select 1').catch(() => undefined);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#client?.end().catch(() => undefined);
  }
}

export interface TargetOutcome {
  group: string;
  state: string;
  error?: string;
}

/**
 * Resolves once every target is settled: provisioned, failed or blocked
 * (provision), or gone or failed (teardown). The events say which targets
 * ended; the groups are read again (the outcome's source) once the events say
 * all have, and at least every second (a NOTIFY lost while reconnecting), so
 * a run of N groups costs about one read per second, not one per event.
 */
export async function waitForTargets(
  pool: pg.Pool,
  bridge: EventBridge,
  state: string,
  targets: readonly string[],
  mode: 'up' | 'down',
  signal: AbortSignal,
): Promise<TargetOutcome[]> {
  const settledUp: readonly string[] = [GroupState.Provisioned, GroupState.Failed, GroupState.Blocked];
  const open = new Set(targets);
  const off = bridge.onGroupEnd((type, group) => {
    if (SETTLES[mode].has(type)) open.delete(group);
    // A failed shutdown may hold its dependencies back ("kept", which no event says): read at once.
    if (mode === 'down' && type === 'deprovision:fail') readAt = -Infinity;
  });
  let readAt = -Infinity;
  try {
    for (;;) {
      if (signal.aborted) throw signal.reason;
      if (open.size === 0 || performance.now() - readAt >= 1000) {
        readAt = performance.now();
        try {
          await bridge.ensure();
          const r = await pool.query(
            `select name, record->>'state' as st, record->'error'->>'message' as err from groundwork.groups where state = $1 and name = any($2)`,
            [state, targets],
          );
          const found = new Map(r.rows.map((row) => [row.name as string, { state: row.st as string, error: row.err as string | null }]));
          // Tearing down: a target waiting on a dependent whose shutdown failed will not go on ("kept").
          const held = mode === 'down' ? await heldTargets(pool, state, targets) : new Set<string>();
          const outcomes = targets.map((group) => {
            const f = found.get(group);
            return { group, state: held.has(group) ? 'kept' : f ? f.state : 'removed', ...(f?.error ? { error: f.error } : {}) };
          });
          const settled = (o: TargetOutcome) =>
            mode === 'up' ? settledUp.includes(o.state) : ['removed', 'kept', GroupState.Failed].includes(o.state);
          if (outcomes.every(settled)) return outcomes;
          // Still open by the database: those the events have not ended yet stay open (an event newer than this read wins).
          const unsettled = new Set(outcomes.filter((o) => !settled(o)).map((o) => o.group));
          for (const group of open) if (!unsettled.has(group)) open.delete(group);
          if (open.size === 0) for (const group of unsettled) open.add(group); // the read was older than the events: read again
        } catch (error) {
          if (error instanceof GroundworkError) throw error;
          // PostgreSQL away: try again on the next tick.
        }
      }
      await bridge.changed.wait(Math.max(0, 1000 - (performance.now() - readAt)));
    }
  } finally {
    off();
  }
}
