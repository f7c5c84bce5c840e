/**
 * Named failpoints for fault-injection tests. `GROUNDWORK_FAILPOINT` holds
 * comma-separated `name:action` pairs; actions: `kill` (SIGKILL this process),
 * `eio` / `enospc` (throw that I/O error). Unset in normal runs: one env lookup.
 */
export function failpoint(name: string): void {
  const spec = process.env.GROUNDWORK_FAILPOINT;
  if (!spec) return;
  for (const entry of spec.split(',')) {
    const [point, action] = entry.trim().split(':');
    if (point !== name) continue;
    if (action === 'kill') process.kill(process.pid, 'SIGKILL');
    if (action === 'eio' || action === 'enospc') throw ioError(name, action.toUpperCase());
  }
}

function ioError(name: string, code: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${code}: injected by failpoint ${name}`);
  error.code = code;
  return error;
}
