// The db group's last step: the schema and its row, made with psql over SSH on
// the database's machine; its output is how to reach the database.
import { ConfigError } from '../../../src/errors.js';
import type { MachineInfo, Provisioner, ProvisionerContext } from '../../../src/index.js';
import { registerProvisioner } from '../../../src/index.js';
import { onMachines, shellQuote } from './on-machines.js';

export const PG_BIN = '/usr/lib/postgresql/15/bin';

interface ServiceInput {
  machines: MachineInfo[];
  services: Array<{ machine: string; host: string; port: number; address: string; pid: number }>;
}

export interface PostgresSchemaOptions {
  /** SQL run once the server answers; make it idempotent (a resumed run may run it again). */
  sql: string;
  user?: string;
  database?: string;
  keyPaths?: string[];
}

/** The database, for dependents (`{{dependencies.db.url}}`) and tests; the machines and services passed on. */
export interface PostgresOutput extends ServiceInput {
  host: string;
  port: number;
  address: string;
  user: string;
  database: string;
  url: string;
}

export class PostgresSchema implements Provisioner<ServiceInput, PostgresOutput> {
  name = '';
  sql: string;
  user: string;
  database: string;
  keyPaths: string[] | undefined;
  applied: string | undefined;

  constructor(options: PostgresSchemaOptions) {
    if (typeof options?.sql !== 'string' || options.sql.trim() === '')
      throw new ConfigError(`PostgresSchema: expected \`sql\` to be SQL text, got ${JSON.stringify(options?.sql)}.`);
    this.sql = options.sql;
    this.user = options.user ?? 'postgres';
    this.database = options.database ?? 'postgres';
    this.keyPaths = options.keyPaths;
  }

  async startup(input: ServiceInput, ctx: ProvisionerContext): Promise<PostgresOutput> {
    const service = input?.services?.[0];
    const machine = input?.machines?.find((m) => m.name === service?.machine);
    if (!service || !machine)
      throw new ConfigError(
        `PostgresSchema: expected its input to be a RemoteService output with one service, got ${JSON.stringify(input)}.`,
      );
    const psql = `${PG_BIN}/psql -X -q -v ON_ERROR_STOP=1 -h ${service.host} -p ${service.port} -U ${this.user} -d ${this.database}`;
    await onMachines([machine], ctx, { operation: 'Apply the schema', keyPaths: this.keyPaths }, (m) =>
      m.execute(`${psql} -c ${shellQuote(this.sql)}`, { signal: ctx.signal }),
    );
    this.applied = `${this.user}@${service.address}/${this.database}`;
    const url = `postgres://${this.user}@${service.address}/${this.database}`;
    return { ...input, host: service.host, port: service.port, address: service.address, user: this.user, database: this.database, url };
  }

  // The data goes with the server's folder.
  shutdown(): boolean {
    this.applied = undefined;
    return true;
  }

  report(): string[] {
    return [this.applied ? `schema applied on ${this.applied}` : 'schema not applied yet'];
  }
}
registerProvisioner(PostgresSchema);
