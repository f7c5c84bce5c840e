/**
 * Named failpoints for fault-injection tests. `GROUNDWORK_FAILPOINT` holds
 * comma-separated `name:action[@hit]` pairs; actions: `kill` (SIGKILL this
 * process), `eio` / `enospc` (throw that I/O error); `@3` acts on the third
 * time the point is reached (default the first). Read once per process: failpoints
 * sit on the hot path, and an environment lookup costs more than a step.
 */
/** The failpoints of a provisioning step and of compaction, in the order a step meets them. */
export const STEP_FAILPOINTS = [
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

/** Every failpoint: a step's, the netns driver's, and the writes of claim and lock files. */
export const FAILPOINTS = [
  ...STEP_FAILPOINTS,
  'netns-after-create',
  'netns-after-record',
  'netns-after-sshd',
  'claim-before-write',
  'lock-before-write',
] as const;
export type Failpoint = (typeof FAILPOINTS)[number];

let spec: string | undefined;
const hits = new Map<string, number>();

/**
 * Arm `points` (the GROUNDWORK_FAILPOINT syntax) in this process, for a test
 * that injects a failure without a child process; the returned function
 * disarms them (back to the environment's).
 */
export function armFailpoints(points: string): () => void {
  spec = points;
  hits.clear();
  return () => {
    spec = undefined;
    hits.clear();
  };
}

export function failpoint(name: Failpoint): void {
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
