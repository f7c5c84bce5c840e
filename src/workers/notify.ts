import type { Queryable } from './db.js';

/** NOTIFY channel for what happened (the submitter turns these into scheduler events for the progress display). */
export const EVENTS_CHANNEL = 'groundwork_events';

/** A scheduler event as it travels through NOTIFY: errors as their message and code. */
export interface WireEvent {
  state: string;
  type: string;
  payload: Record<string, unknown>;
}

/** Sent inside the transaction that makes it true: delivered only if it commits. */
export async function notifyEvent(db: Queryable, state: string, type: string, payload: Record<string, unknown>): Promise<void> {
  await db.query(`select pg_notify($1, $2)`, [EVENTS_CHANNEL, wireText(state, type, payload)]);
}

/** Several events in one round trip, delivered in this order (unnest keeps the array's order). */
export async function notifyEvents(
  db: Queryable,
  state: string,
  events: ReadonlyArray<readonly [string, Record<string, unknown>]>,
): Promise<void> {
  if (events.length === 0) return;
  if (events.length === 1) return notifyEvent(db, state, events[0]![0], events[0]![1]);
  const texts = events.map(([type, payload]) => wireText(state, type, payload));
  await db.query(`select pg_notify($1, t) from unnest($2::text[]) with ordinality as e(t, n) order by n`, [EVENTS_CHANNEL, texts]);
}

export function wireText(state: string, type: string, payload: Record<string, unknown>): string {
  const wire: WireEvent = { state, type, payload };
  const text = JSON.stringify(wire);
  return text.length > 7000
    ? JSON.stringify({ ...wire, payload: { ...payload, error: { message: 'error too long for NOTIFY; see status' } } })
    : text;
}

export function wireError(error: unknown): { message: string; code?: string } {
  const e = error as { message?: string; code?: unknown };
  return typeof e?.code === 'string' ? { message: String(e.message), code: e.code } : { message: String(e?.message ?? error) };
}
