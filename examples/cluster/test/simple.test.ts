// The seed's simple test: the app answers "hello world" through the load balancer,
// and the value provably comes from PostgreSQL (a changed row shows at once).
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { get, type ClusterOutputs } from './cluster.js';

const cluster = inject('cluster');
const { db, lb } = inject('groundwork') as unknown as ClusterOutputs;

describe.skipIf(!cluster.available)(`simple${cluster.available ? '' : ` (skipped: ${cluster.reason})`}`, () => {
  it('GET / through the LB answers the row in PostgreSQL, on both nodes', async () => {
    expect(await get(lb)).toEqual({ status: 200, body: 'hello world' });

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query('UPDATE greetings SET greeting = $1 WHERE id = 1', ['hello from the test']);
      // The LB alternates between the two nodes: four answers cover both.
      const answers = await Promise.all([1, 2, 3, 4].map(() => get(lb)));
      expect(answers).toEqual(Array(4).fill({ status: 200, body: 'hello from the test' }));
    } finally {
      await client.query('UPDATE greetings SET greeting = $1 WHERE id = 1', ['hello world']);
      await client.end();
    }
    expect(await get(lb)).toEqual({ status: 200, body: 'hello world' });
  });
});
