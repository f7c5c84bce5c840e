// The seed's load test: heartbeats through the LB while one app node loses its
// power half-way; not one request may be dropped. Then the kept-run repair: the
// next bring-up with keep finds the dead node through the health checks and
// replaces the app group (and the lb that depends on it).
import { Agent } from 'node:http';
import { describe, expect, inject, it } from 'vitest';
import { powerOff, silentLogger } from '../../../src/index.js';
import { groundworkGlobalSetup } from '../../../src/testing/vitest.js';
import { CLUSTER_CONFIG, get, type ClusterOutputs } from './cluster.js';

const cluster = inject('cluster');
const outputs = inject('groundwork') as unknown as ClusterOutputs;

const TOTAL = 400;
const CONCURRENCY = 8;

interface Outcome {
  status: number | 'error';
  node: string;
  /** Sent after the power-off had completed. */
  afterKill: boolean;
  ms: number;
}

describe.skipIf(!cluster.available)(`load${cluster.available ? '' : ` (skipped: ${cluster.reason})`}`, () => {
  it(`${TOTAL} heartbeats at concurrency ${CONCURRENCY}: app1 powered off half-way, every one answers 200`, async () => {
    const url = `${outputs.lb}heartbeat`;
    const victim = outputs.app.machines.find((m) => m.name === 'app1')!;
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const outcomes: Outcome[] = [];
    let next = 0;
    let killed = false;
    let kill: Promise<void> | undefined;
    const worker = async () => {
      while (next < TOTAL) {
        next += 1;
        const afterKill = killed;
        const started = performance.now();
        const outcome = await get(url, agent).then(
          (a) => ({ status: a.status, node: a.body }),
          (error: Error) => ({ status: 'error' as const, node: error.message }),
        );
        outcomes.push({ ...outcome, afterKill, ms: performance.now() - started });
        // Half answered: cut app1's power (every process in its namespace SIGKILLed) while the others keep sending.
        if (outcomes.length === TOTAL / 2) kill = powerOff(victim, { mode: 'kill' }).then(() => void (killed = true));
      }
    };
    try {
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      await kill;
    } finally {
      agent.destroy();
    }

    const count = (f: (o: Outcome) => boolean) => outcomes.filter(f).length;
    const nodes = (f: (o: Outcome) => boolean) => [...new Set(outcomes.filter(f).map((o) => o.node))].sort();
    const ms = outcomes.map((o) => o.ms).sort((a, b) => a - b);
    const at = (p: number) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))]!.toFixed(1);
    console.log(
      `heartbeats: ${outcomes.length} sent, ${count((o) => o.status === 200)} × 200, ${count((o) => o.status === 'error')} errors, ` +
        `${count((o) => o.afterKill)} sent after the kill; latency p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${ms.at(-1)!.toFixed(1)} ms`,
    );

    expect(outcomes).toHaveLength(TOTAL);
    expect(outcomes.filter((o) => o.status !== 200)).toEqual([]);
    expect(nodes((o) => !o.afterKill && outcomes.indexOf(o) < TOTAL / 2)).toEqual(['app1', 'app2']);
    expect(count((o) => o.afterKill)).toBeGreaterThan(0);
    expect(nodes((o) => o.afterKill)).toEqual(['app2']);
  });

  it('the next kept bring-up replaces the dead app group (and lb) and both nodes answer again', async () => {
    const before = { ...outputs };
    let after: ClusterOutputs | undefined;
    const warnings: string[] = []; // the health checks say why a group is replaced
    const logger = { ...silentLogger, warn: (m: string) => void warnings.push(m) };
    const keptRun = groundworkGlobalSetup({ config: CLUSTER_CONFIG, keep: true, logger });
    await keptRun({ provide: (_key, value) => void (after = value as unknown as ClusterOutputs) });
    expect(after).toBeDefined();
    const pids = (o: ClusterOutputs, group: 'db' | 'app') => o[group].services.map((s) => `${s.machine}:${s.pid}`);

    console.log(`kept bring-up: ${warnings.join('\n') || 'no warnings'}`);
    const why = warnings.join('\n');
    expect(
      warnings.some((w) => w.startsWith('app is unhealthy') && w.includes('app1')),
      why,
    ).toBe(true);
    expect(pids(after!, 'app')).not.toEqual(pids(before, 'app')); // replaced: new processes on both nodes
    const answered = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const answer = await get(`${after!.lb}heartbeat`);
      expect(answer.status).toBe(200);
      answered.add(answer.body);
    }
    expect([...answered].sort()).toEqual(['app1', 'app2']);
    // Healthy groups are reused as they were: a replaced db would mean a check that fails on a live node.
    expect(pids(after!, 'db'), why).toEqual(pids(before, 'db'));
  });
});
