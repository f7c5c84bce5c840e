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

/** An event as its NOTIFY text (an error too long for NOTIFY's 8,000 bytes is cut to a pointer to `status`). */
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
