// What the worker tests check afterwards, from the steps' own log (GW_TEST_LOG) and the
// database read directly (not through the code under test).
import pg from 'pg';

export interface LogEntry {
  kind: 'start' | 'done' | 'stop';
  group: string;
  step: number;
  pid: number;
  input?: unknown;
  deps?: Record<string, unknown>;
  line: number;
}

export function parseLog(text: string): LogEntry[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((l, line) => {
      const m = /^(start|done|stop) (g\d+):(\d+) pid=(\d+)(?: input=(.*) deps=(.*) cp=\d+)?$/.exec(l);
      if (!m) throw new Error(`unexpected log line ${JSON.stringify(l)}`);
      return {
        kind: m[1] as LogEntry['kind'],
        group: m[2]!,
        step: Number(m[3]),
        pid: Number(m[4]),
        ...(m[5] !== undefined ? { input: JSON.parse(m[5]), deps: JSON.parse(m[6]!) } : {}),
        line,
      };
    });
}

/** The fixture's DAG (test/fixtures/workers/config.ts) for `count` groups. */
export function fixtureDag(count: number): Map<string, { dependsOn: string[]; steps: number }> {
  const out = new Map<string, { dependsOn: string[]; steps: number }>();
  for (let k = 0; k < count; k++) {
    const layer = Math.floor(k / 3);
    const dependsOn =
      layer === 0
        ? []
        : [0, 1, 2]
            .map((j) => (layer - 1) * 3 + j)
            .filter((j) => j < count)
            .map((j) => `g${j}`);
    out.set(`g${k}`, { dependsOn, steps: 2 + (k % 2) });
  }
  return out;
}

/**
 * Every start's input is its predecessor's return and its dependencies'
 * outputs are there; a step started more than once was started before only by
 * killed (or stopped) workers: only in-flight steps re-run. Returns problems.
 */
export function checkProvisionLog(entries: LogEntry[], dag: ReturnType<typeof fixtureDag>, killed: ReadonlySet<number>): string[] {
  const problems: string[] = [];
  const starts = new Map<string, LogEntry[]>();
  for (const e of entries.filter((x) => x.kind === 'start')) {
    const id = `${e.group}:${e.step}`;
    const expected = e.step === 0 ? null : { id: `${e.group}:${e.step - 1}` };
    if (JSON.stringify(e.input) !== JSON.stringify(expected)) problems.push(`${id} got input ${JSON.stringify(e.input)}`);
    for (const d of dag.get(e.group)!.dependsOn) {
      const want = { id: `${d}:${dag.get(d)!.steps - 1}` };
      if (JSON.stringify(e.deps?.[d]) !== JSON.stringify(want))
        problems.push(`${id} started without ${d}'s output (${JSON.stringify(e.deps)})`);
    }
    starts.set(id, [...(starts.get(id) ?? []), e]);
  }
  for (const [g, { steps }] of dag) {
    for (let i = 0; i < steps; i++) {
      const list = starts.get(`${g}:${i}`) ?? [];
      if (list.length === 0) problems.push(`${g}:${i} never started`);
      for (const e of list.slice(0, -1))
        if (!killed.has(e.pid)) problems.push(`${g}:${i} re-run although pid ${e.pid} (not killed) ran it`);
    }
  }
  return problems;
}

/** Teardown: each step's shutdown exactly once, a group's last step first, dependents before what they depend on. */
export function checkTeardownLog(entries: LogEntry[], dag: ReturnType<typeof fixtureDag>): string[] {
  const problems: string[] = [];
  const stops = entries.filter((e) => e.kind === 'stop');
  const at = new Map<string, number[]>();
  for (const [i, e] of stops.entries()) at.set(`${e.group}:${e.step}`, [...(at.get(`${e.group}:${e.step}`) ?? []), i]);
  for (const [g, { steps, dependsOn }] of dag) {
    for (let i = 0; i < steps; i++) {
      const n = at.get(`${g}:${i}`)?.length ?? 0;
      if (n !== 1) problems.push(`${g}:${i} shut down ${n} times`);
      if (i > 0 && (at.get(`${g}:${i}`)?.[0] ?? -1) > (at.get(`${g}:${i - 1}`)?.[0] ?? -1))
        problems.push(`${g}:${i} shut down after ${g}:${i - 1}`);
    }
    for (const d of dependsOn) {
      const lastOfG = Math.max(...Array.from({ length: steps }, (_, i) => at.get(`${g}:${i}`)?.[0] ?? -1));
      const firstOfD = Math.min(...Array.from({ length: dag.get(d)!.steps }, (_, i) => at.get(`${d}:${i}`)?.[0] ?? Infinity));
      if (lastOfG > firstOfD) problems.push(`${d} shut down before its dependent ${g} was gone`);
    }
  }
  return problems;
}

/** How many steps the log shows started (each run of a step logs one `start`). */
export function countStarts(text: string): number {
  return text.split('\n').filter((l) => l.startsWith('start ')).length;
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** The groups and steps as the database holds them, read with plain SQL. */
export function readRows(
  url: string,
): Promise<{
  groups: Map<string, string>;
  steps: Array<{ group: string; idx: number; state: string; attempt: number; worker: string | null }>;
}> {
  return withClient(url, async (client) => {
    const g = await client.query(`select name, record->>'state' as st from groundwork.groups where state = 'default'`);
    const s = await client.query(
      `select group_name, idx, record->>'state' as st, attempt, worker from groundwork.steps where state = 'default' order by group_name, idx`,
    );
    return {
      groups: new Map(g.rows.map((r) => [r.name as string, r.st as string])),
      steps: s.rows.map((r) => ({ group: r.group_name, idx: r.idx, state: r.st, attempt: r.attempt, worker: r.worker })),
    };
  });
}

/** pg-boss jobs enqueued more than once (same queue and singleton key), from its own job table. */
export function duplicateJobs(url: string): Promise<unknown[]> {
  return withClient(
    url,
    async (client) =>
      (await client.query(`select name, singleton_key, count(*)::int as n from pgboss.job group by 1, 2 having count(*) > 1`)).rows,
  );
}
