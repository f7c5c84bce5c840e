import pg from 'pg';
import { ConfigError, DatabaseUnreachableError } from '../../errors.js';
import { redactUrl, scrubPassword } from '../../state/postgres/redact.js';
import type { StatusReport } from '../../scheduler/status.js';
import { ExitCode } from '../exit-codes.js';
import { stateTarget } from '../state-target.js';
import type { TaskContext } from '../task-context.js';

/** `groundwork workers`: the live workers (a heartbeat in the last 10 s) and the steps each runs. */
export async function workers(ctx: TaskContext): Promise<number> {
  const { args, io } = ctx;
  const target = stateTarget(ctx, await ctx.config().catch(() => undefined));
  if (target.kind !== 'database')
    throw new ConfigError(
      "`workers` needs a database: pass --database URL, set GROUNDWORK_DATABASE_URL, or set the config's `database.url`.",
    );
  const { url } = target;
  const client = new pg.Client({ connectionString: url, application_name: 'groundwork-workers' });
  await client.connect().catch((cause: unknown) => {
    throw new DatabaseUnreachableError(redactUrl(url), scrubPassword((cause as Error).message, url), cause);
  });
  try {
    const r = await client.query(
      `select id, host, pid, started_at, heartbeat_at, concurrency, running from groundwork.workers
       where heartbeat_at > now() - interval '10 seconds' order by started_at`,
    );
    type Running = { state: string; group: string; step: number; kind: string; attempt: number };
    const list = r.rows.map((w) => ({
      id: w.id as string,
      host: w.host as string,
      pid: w.pid as number,
      startedAt: (w.started_at as Date).toISOString(),
      heartbeatAt: (w.heartbeat_at as Date).toISOString(),
      concurrency: w.concurrency as number,
      running: w.running as Running[],
    }));
    if (args.json) {
      io.out(JSON.stringify({ workers: list }, null, 2));
      return ExitCode.Ok;
    }
    if (list.length === 0) io.out('No live workers.');
    for (const w of list) {
      const what =
        w.concurrency === 0
          ? 'submitter (--no-work): sweeps only'
          : w.running.map((s) => `${s.group} ${s.step + 1}${s.kind === 'down' ? ' (shutdown)' : ''} #${s.attempt}`).join(', ') || 'idle';
      io.out(`${w.id.padEnd(28)} ${w.host} pid ${w.pid}  ${w.running.length}/${w.concurrency}  ${what}`);
    }
    return ExitCode.Ok;
  } finally {
    await client.end();
  }
}

/**
 * With a database state, set each step's `worker` in a status report from the
 * steps rows (which worker ran or runs it). Nothing for a state file; a
 * database that cannot be read here leaves the report as it is (status already read it).
 */
export async function addStepWorkers(ctx: TaskContext, report: StatusReport): Promise<void> {
  const target = stateTarget(ctx, await ctx.config().catch(() => undefined));
  if (target.kind !== 'database') return;
  const client = new pg.Client({ connectionString: target.url, application_name: 'groundwork-status' });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const r = await client.query(`select group_name, idx, worker from groundwork.steps where state = $1 and worker is not null`, [
      target.state,
    ]);
    const by = new Map(r.rows.map((row) => [`${row.group_name}\u0000${row.idx}`, row.worker as string]));
    for (const g of report.groups) for (const s of g.steps) s.worker = by.get(`${g.name}\u0000${s.index}`) ?? null;
  } catch {
    // shown without the worker column
  } finally {
    await client.end().catch(() => undefined);
  }
}
