import { createHash } from 'node:crypto';
import PgBoss from 'pg-boss';
import type { Executor } from './db.js';

/**
 * One pg-boss queue carries the step jobs of one state (several states may
 * share a database; a worker serves the state of its config and has its classes).
 */
export function queueName(state: string): string {
  return `groundwork_steps.${createHash('sha1').update(state).digest('hex').slice(0, 16)}`;
}
/** NOTIFY channel: a job was enqueued (idle workers fetch at once instead of waiting for a poll). */
export const WAKE_CHANNEL = 'groundwork_wake';

export const JobKind = { Up: 'up', Down: 'down' } as const;
export type JobKind = (typeof JobKind)[keyof typeof JobKind];

/** A step job: run attempt `attempt` of this step's startup (up) or shutdown (down). */
export interface StepJob {
  state: string;
  group: string;
  step: number;
  attempt: number;
  kind: JobKind;
}

export interface FetchedJob {
  id: string;
  data: StepJob;
}

/** The key that makes enqueueing idempotent: one job per state/group/step/kind/attempt. */
export function jobKey(job: StepJob): string {
  return JSON.stringify([job.state, job.group, job.step, job.kind, job.attempt]);
}

/**
 * pg-boss 10 set up for step jobs. A job is never retried by pg-boss
 * (`retryLimit: 0`): a retry is a new attempt with its own number, made by the
 * lease sweeper, so that the old attempt's writes can be refused. Expiry is
 * only a backstop (23 h, under pg-boss's 24 h cap): takeover is by lease,
 * independent of how long a step runs.
 */
export class StepQueue {
  readonly boss: PgBoss;
  readonly name: string;

  private constructor(boss: PgBoss, name: string) {
    this.boss = boss;
    this.name = name;
  }

  static async start(url: string, state: string, onError: (error: Error) => void): Promise<StepQueue> {
    const name = queueName(state);
    const boss = new PgBoss({
      connectionString: url,
      schema: 'pgboss',
      max: 2,
      application_name: 'groundwork-queue',
      schedule: false,
      // Maintenance (archive, expiry backstop) from every process; pg-boss takes its own lock for it.
      supervise: true,
      maintenanceIntervalSeconds: 60,
    });
    boss.on('error', onError);
    await boss.start();
    // Workers starting at once race in pg-boss's create_queue (seen: "deadlock detected"): the queue
    // exists afterwards either way, so a failed create is fine once getQueue finds it.
    const options = { name, retryLimit: 0, expireInSeconds: 23 * 3600, retentionMinutes: 60 * 24 };
    if (!(await boss.getQueue(name))) {
      await boss.createQueue(name, options).catch(async (error: unknown) => {
        if (!(await boss.getQueue(name))) await boss.createQueue(name, options).catch(() => Promise.reject(error));
      });
    }
    return new StepQueue(boss, name);
  }

  /**
   * Enqueue `job` inside the caller's transaction (`db`), unless a job with its
   * key exists already (the caller holds the step row's lock, so two
   * enqueuers of the same attempt are serialized). Idle workers are woken on commit.
   * `fresh`: the caller has just bumped the step's attempt under that lock, so
   * no job of this attempt can exist (saves the look-up, one round trip).
   */
  async enqueue(db: Executor, job: StepJob, options: { fresh?: boolean } = {}): Promise<string | undefined> {
    const key = jobKey(job);
    if (!options.fresh) {
      const seen = await db.executeSql(`select id from pgboss.job where name = $1 and singleton_key = $2 limit 1`, [this.name, key]);
      if (seen.rows.length > 0) return undefined;
    }
    const id = await this.boss.send(this.name, { ...job }, { singletonKey: key, retryLimit: 0, db });
    if (id) await db.executeSql(`select pg_notify($1, $2)`, [WAKE_CHANNEL, this.name]);
    return id ?? undefined;
  }

  /**
   * Enqueue new attempts of many steps in one statement (pg-boss's `insert`) and wake the
   * workers once. The caller has bumped each step's attempt under its row lock: no job of
   * these attempts can exist (as `enqueue`'s `fresh`).
   */
  async enqueueMany(db: Executor, jobs: readonly StepJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.boss.insert(
      jobs.map((job) => ({ name: this.name, data: { ...job }, singletonKey: jobKey(job), retryLimit: 0 })),
      { db },
    );
    await db.executeSql(`select pg_notify($1, $2)`, [WAKE_CHANNEL, this.name]);
  }

  /** The keys of these step attempts that have a job queued or running. */
  async activeKeys(db: Executor, jobs: readonly StepJob[]): Promise<Set<string>> {
    if (jobs.length === 0) return new Set();
    const r = await db.executeSql(
      `select singleton_key from pgboss.job where name = $1 and singleton_key = any($2::text[]) and state < 'completed'`,
      [this.name, jobs.map(jobKey)],
    );
    return new Set(r.rows.map((row) => row['singleton_key'] as string));
  }

  /** Fetch (mark active) up to `count` jobs inside the caller's transaction, so taking a job and claiming its step are one commit. */
  async fetch(db: Executor, count: number): Promise<FetchedJob[]> {
    const jobs = await this.boss.fetch<StepJob>(this.name, { batchSize: count, db });
    return (jobs ?? []).map((j) => ({ id: j.id, data: j.data }));
  }

  /** Complete a job that is no longer wanted (its attempt is stale, its step done), in the caller's transaction. */
  async discard(db: Executor, id: string): Promise<void> {
    await db.executeSql(`update pgboss.job set state = 'completed', completed_on = now() where name = $1 and id = $2`, [this.name, id]);
  }

  /** Put a fetched job back, to be fetched again after `ms` (pg-boss 10 fetches only jobs whose start_after has passed). */
  async postpone(db: Executor, id: string, ms: number): Promise<void> {
    await db.executeSql(
      `update pgboss.job set state = 'created', started_on = null, start_after = now() + $3 * interval '1 millisecond'
       where name = $1 and id = $2`,
      [this.name, id, ms],
    );
  }

  /** Complete a job in the caller's transaction. */
  async complete(db: Executor, id: string): Promise<void> {
    await this.boss.complete(this.name, id, {}, { db });
  }

  /** The active job of a step attempt, if any (the sweeper completes it when it makes the next attempt). */
  async activeJobOf(db: Executor, job: StepJob): Promise<string | undefined> {
    const r = await db.executeSql(`select id from pgboss.job where name = $1 and singleton_key = $2 and state < 'completed' limit 1`, [
      this.name,
      jobKey(job),
    ]);
    return r.rows[0]?.['id'] as string | undefined;
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: false, wait: true, close: true });
  }
}
