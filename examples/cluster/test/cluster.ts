// What the cluster tests share: the config's path, the outputs' types, and small HTTP helpers.
import { request, type Agent } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { RemoteServiceOutput } from '../../../src/index.js';
import type { PostgresOutput } from '../provisioners/postgres-schema.js';

export const CLUSTER_CONFIG = fileURLToPath(new URL('../groundwork.config.ts', import.meta.url));
export const REPO = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * The groups' outputs as `inject('groundwork')` hands them over. (Not an augmentation of
 * GroundworkOutputs: this repo's one tsconfig also holds fixtures that type `app` otherwise.)
 */
export interface ClusterOutputs {
  db: PostgresOutput;
  app: RemoteServiceOutput;
  /** The load balancer's URL (ServiceUrl's output). */
  lb: string;
}

export interface Answer {
  status: number;
  body: string;
}

/** One GET; rejects on a connection error (counted by the caller, never retried). */
export function get(url: string, agent?: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: agent ?? false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
