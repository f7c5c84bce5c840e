/**
 * Named failpoints for fault-injection tests. `GROUNDWORK_FAILPOINT` holds
 * comma-separated `name:action[@hit]` pairs; actions: `kill` (SIGKILL this
 * process), `eio` / `enospc` (throw that I/O error); `@3` acts on the third
 * time the point is reached (default the first). Read once per process: failpoints
 * sit on the hot path, and an environment lookup costs more than a step.
 */
/** Every failpoint, in the order a step meets them. */
export const FAILPOINTS = [
  'before-startup',
  'after-step-before-journal',
  'before-journal-write',
  'after-journal-before-sync',
  'after-sync-before-ack',
  'after-ack',
  'compaction-before-snapshot',
  'snapshot-before-rename',
  'compaction-after-snapshot',
] as const;
export type Failpoint = (typeof FAILPOINTS)[number];

let spec: string | undefined;
const hits = new Map<string, number>();

export function failpoint(name: Failpoint | (string & {})): void {
  spec ??= process.env.GROUNDWORK_FAILPOINT ?? '';
  if (!spec) return;
  for (const entry of spec.split(',')) {
    const [point, rest = ''] = entry.trim().split(':');
    if (point !== name) continue;
    const [action, at = '1'] = rest.split('@');
    const hit = (hits.get(name) ?? 0) + 1;
    hits.set(name, hit);
    if (hit !== Number(at)) continue;
    if (action === 'kill') process.kill(process.pid, 'SIGKILL');
    if (action === 'eio' || action === 'enospc') throw ioError(name, action.toUpperCase());
  }
}

function ioError(name: string, code: string): NodeJS.ErrnoException {
  // A plain Error on purpose: it imitates the errno error fs would throw (code EIO/ENOSPC), for fault tests.
  const error: NodeJS.ErrnoException = new Error(`${code}: injected by failpoint ${name}`);
  error.code = code;
  return error;
}
