import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import pg from 'pg';
import type { DriverRegistry } from '../drivers/registry.js';
import { DatabaseUnreachableError, StepFencedError, describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ProvisionerRegistry } from '../serialize/registry.js';
import { LEASE_HELD_RETRY_MS, claimJob, type ClaimedStep } from './claim.js';
import { commitStep, type StepEnd } from './commit.js';
import { commitAndTakeNext, straightOn } from './commit-next.js';
import { executorOf, inTransaction, isConnectionError, openPool } from './db.js';
import { throughRestart } from './through-restart.js';
import { redactUrl, scrubPassword } from '../state/postgres/redact.js';
import { Leases, type LeaseKey } from './lease.js';
import { WAKE_CHANNEL, StepQueue } from './queue.js';
import { ensureStateRow } from './rows.js';
import { runStep } from './run-step.js';
import { migrate } from '../state/postgres/migrate.js';
import { sweep } from './sweeper.js';
import { Wake } from './wake.js';
import { writeStepFenced } from './rows.js';

export interface WorkerOptions {
  url: string;
  /** The state (config) this worker serves. */
  state: string;
  concurrency: number;
  /** How long a silent worker keeps its leases (default 10 s). */
  leaseTimeoutMs: number;
  registry: ProvisionerRegistry;
  drivers: DriverRegistry;
  logger: Logger;
  /** ctx.dataDir: per machine in worker mode. */
  dataDir: string;
  /** Take no step jobs (a submitter with --no-work still sweeps). */
  work?: boolean;
  id?: string;
  /** Fallback poll when no NOTIFY comes (pg-boss's own minimum is 0.5 s). */
  pollMs?: number;
}

function sameGroup(a: LeaseKey, b: LeaseKey): boolean {
  return a.state === b.state && a.group === b.group;
}

/**
 * A worker: takes step jobs of one state, runs each step's startup/shutdown,
 * commits each result in one transaction with what it makes ready, and goes
 * straight on with its group's next step. It sweeps for steps whose worker
 * died, wakes on NOTIFY, and reconnects with backoff when PostgreSQL restarts.
 */
export class Worker {
  readonly id: string;
  readonly #o: WorkerOptions;
  readonly #pool: pg.Pool;
  #queue!: StepQueue;
  #leases!: Leases;
  #listener: pg.Client | undefined;
  #stateId = '';
  readonly #wake = new Wake();
  readonly #running = new Map<string, ClaimedStep>();
  readonly #chains = new Set<Promise<void>>();
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #stop = new AbortController();
  readonly #cancel = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(options: WorkerOptions) {
    this.#o = options;
    this.id = options.id ?? `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
    this.#pool = openPool(options.url, options.concurrency + 3, (e) => options.logger.warn(`database connection lost: ${e.message}`));
  }

  /** The state's id (tags what it owns), once started. */
  get stateId(): string {
    return this.#stateId;
  }

  get running(): ClaimedStep[] {
    return [...this.#running.values()];
  }

  async start(): Promise<void> {
    const { logger } = this.#o;
    const client = await this.#pool.connect().catch((cause: unknown) => {
      throw new DatabaseUnreachableError(redactUrl(this.#o.url), scrubPassword(describeError(cause), this.#o.url), cause);
    });
    try {
      await migrate(client, redactUrl(this.#o.url)); // pg-store's migrations: a newer schema is refused there
      this.#stateId = await ensureStateRow(client, this.#o.state);
    } finally {
      client.release();
    }
    this.#queue = await StepQueue.start(this.#o.url, this.#o.state, (e) => logger.warn(`queue: ${e.message}`));
    this.#leases = new Leases(this.#o.url, this.#o.leaseTimeoutMs, (e) =>
      logger.warn(`lease connection lost (${e.message}); reconnecting`),
    );
    await this.#leases.start();
    await this.#listen();
    await this.#heartbeat(true);
    this.#every(1000, () => this.#heartbeat(false));
    this.#every(Math.min(1000, Math.max(100, this.#o.leaseTimeoutMs / 10)), () => sweep(this.#pool, this.#queue, this.#o.state, logger));
    if (this.#o.work !== false) this.#loop = this.#run();
  }

  #every(ms: number, fn: () => Promise<unknown>): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      fn()
        .catch((e: unknown) => {
          if (!isConnectionError(e)) this.#o.logger.warn(describeError(e));
        })
        .finally(() => (busy = false));
    }, ms);
    this.#timers.push(timer);
  }

  async #listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#o.url, application_name: 'groundwork-listen' });
    client.on('error', () => {
      if (this.#listener === client) this.#listener = undefined;
      void client.end().catch(() => undefined);
      this.#wake.ring(); // fall back to polling until it is back
    });
    client.on('notification', (n) => {
      if (n.payload === this.#queue.name) this.#wake.ring();
    });
    await client.connect();
    await client.query(`listen ${WAKE_CHANNEL}`);
    this.#listener = client;
  }

  async #heartbeat(first: boolean): Promise<void> {
    if (!this.#listener && !this.#stop.signal.aborted) await this.#listen().catch(() => undefined);
    const running = this.running.map((c) => ({
      state: c.job.state,
      group: c.job.group,
      step: c.job.step,
      kind: c.job.kind,
      attempt: c.job.attempt,
    }));
    await this.#pool.query(
      `insert into groundwork.workers (id, host, pid, started_at, heartbeat_at, concurrency, running)
       values ($1, $2, $3, now(), now(), $4, $5)
       on conflict (id) do update set heartbeat_at = now(), running = excluded.running`,
      [this.id, hostname(), process.pid, this.#o.work === false ? 0 : this.#o.concurrency, JSON.stringify(running)],
    );
    if (first) await this.#pool.query(`delete from groundwork.workers where heartbeat_at < now() - interval '1 minute'`);
  }

  async #run(): Promise<void> {
    let backoff = 100;
    let idleSaid = false;
    while (!this.#stop.signal.aborted) {
      const free = this.#o.concurrency - this.#running.size;
      if (free <= 0) {
        await this.#wake.wait(this.#o.pollMs ?? 500);
        continue;
      }
      let claimed: ClaimedStep[] = [];
      try {
        claimed = await this.#claim(free);
        backoff = 100;
      } catch (error) {
        this.#o.logger.warn(`could not take jobs: ${describeError(error)}; retrying in ${backoff} ms`);
        await this.#wake.wait(backoff);
        backoff = Math.min(backoff * 2, 2000);
        continue;
      }
      for (const c of claimed) this.#startChain(c);
      if (claimed.length === 0) {
        if (!idleSaid)
          this.#o.logger.info(`worker ${this.id} idle: waiting for jobs (NOTIFY, else a poll every ${this.#o.pollMs ?? 500} ms)`);
        idleSaid = true;
        await this.#wake.wait(this.#o.pollMs ?? 500);
      }
    }
  }

  async #claim(count: number): Promise<ClaimedStep[]> {
    const taken: ClaimedStep[] = [];
    const leased: ClaimedStep['job'][] = [];
    try {
      return await inTransaction(this.#pool, async (c, db) => {
        const tx = { db: c, queue: this.#queue, state: this.#o.state };
        for (const job of await this.#queue.fetch(db, count)) {
          const claimed = await claimJob(tx, this.#leases, this.id, job.id, job.data);
          if (claimed === 'lease-held') {
            const { group, step } = job.data;
            this.#o.logger.info(
              `group "${group}" step ${step + 1}: its lease is still held by another session; job put back for ${LEASE_HELD_RETRY_MS} ms`,
            );
          } else if (claimed !== 'stale') {
            leased.push(claimed.job);
            taken.push(claimed);
          }
        }
        return taken;
      });
    } catch (error) {
      for (const job of leased) await this.#leases.release(job);
      throw error;
    }
  }

  #startChain(first: ClaimedStep): void {
    const chain = this.#chain(first).finally(() => {
      this.#chains.delete(chain);
      this.#wake.ring();
    });
    this.#chains.add(chain);
  }

  /** Run a step, commit it, and go on with the group's next step while this worker took it in the same commit. */
  async #chain(first: ClaimedStep): Promise<void> {
    let claimed: ClaimedStep | undefined = first;
    while (claimed) {
      const current: ClaimedStep = claimed;
      const { group, step } = current.job;
      const name = `${group}/${step}`;
      this.#running.set(name, current);
      try {
        const end = await runStep(this.#runner(), current, this.#cancel.signal);
        claimed = await this.#commit(current, end);
      } catch (error) {
        claimed = undefined;
        if (error instanceof StepFencedError) this.#o.logger.warn(error.message);
        else this.#o.logger.warn(`group "${group}" step ${step + 1}: ${describeError(error)}`);
      } finally {
        this.#running.delete(name);
        // The group's lease stays while this worker goes on in that group. Not waited for: the
        // next commit need not wait for the unlock (the lease session runs them in order).
        if (!claimed || !sameGroup(claimed.job, current.job)) void this.#leases.release(current.job);
      }
    }
  }

  /** Commit, again through a lost connection or a deadlock (the commit is fenced and rolled back whole, so a retry cannot double it). */
  #commit(claimed: ClaimedStep, end: StepEnd): Promise<ClaimedStep | undefined> {
    return throughRestart(`commit of group "${claimed.job.group}" step ${claimed.job.step + 1}`, () => this.#commitOnce(claimed, end), {
      logger: this.#o.logger,
      signal: this.#cancel.signal,
    });
  }

  async #commitOnce(claimed: ClaimedStep, end: StepEnd): Promise<ClaimedStep | undefined> {
    // The common case, its group's next step, with the group's lease still held: one statement, no transaction to open.
    if (straightOn(claimed, end) && !this.#stop.signal.aborted && this.#leases.holds(claimed.job)) {
      return commitAndTakeNext(this.#pool, this.id, claimed, end);
    }
    // Leases this try takes (a dependent's): all but the one returned go back, also on throw.
    const got: LeaseKey[] = [];
    const leases = {
      acquire: async (key: LeaseKey) => {
        const had = this.#leases.holds(key); // this group's own: kept by #chain, whatever this try does
        const ok = await this.#leases.acquire(key);
        if (ok && !had) got.push(key);
        return ok;
      },
    };
    let next: ClaimedStep | undefined;
    try {
      next = await inTransaction(this.#pool, (c) =>
        commitStep({ db: c, queue: this.#queue, state: this.#o.state }, leases, this.id, claimed, end, !this.#stop.signal.aborted),
      );
      return next;
    } finally {
      for (const key of got) if (!next || !sameGroup(key, next.job)) void this.#leases.release(key);
    }
  }

  #runner() {
    return {
      worker: this.id,
      registry: this.#o.registry,
      parts: { logger: this.#o.logger, drivers: this.#o.drivers, dataDir: this.#o.dataDir, stateId: this.#stateId },
      // A checkpoint during a PostgreSQL restart waits for it, as the commit does, instead of failing the step.
      checkpoint: (c: ClaimedStep, record: Parameters<typeof writeStepFenced>[4]) =>
        throughRestart(
          `checkpoint of group "${c.job.group}" step ${c.job.step + 1}`,
          () => writeStepFenced(this.#pool, { state: c.job.state, group: c.job.group, step: c.job.step }, c.job.attempt, this.id, record),
          { logger: this.#o.logger, signal: this.#cancel.signal },
        ),
    };
  }

  /** Take no more jobs; resolves once the steps in flight are finished and committed. */
  async drain(): Promise<void> {
    this.#stop.abort();
    this.#wake.ring();
    await this.#loop;
    while (this.#chains.size > 0) await Promise.allSettled([...this.#chains]);
  }

  /** Cancel the steps in flight through their AbortSignal (a second Ctrl-C). */
  cancel(reason: unknown): void {
    this.#cancel.abort(reason);
  }

  /** Drain, deregister and close every connection. */
  async close(): Promise<void> {
    await this.drain();
    for (const t of this.#timers) clearInterval(t);
    await this.#pool.query(`delete from groundwork.workers where id = $1`, [this.id]).catch(() => undefined);
    await this.#leases?.close();
    await this.#listener?.end().catch(() => undefined);
    await this.#queue?.stop().catch(() => undefined);
    await this.#pool.end().catch(() => undefined);
  }

  /** The pool, for the submitter running beside this worker in one process. */
  get pool(): pg.Pool {
    return this.#pool;
  }

  get queue(): StepQueue {
    return this.#queue;
  }

  get executor() {
    return executorOf(this.#pool);
  }
}
