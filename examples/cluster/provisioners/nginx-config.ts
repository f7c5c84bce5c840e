// The load balancer's config: nginx in front of a dependency group's services,
// tuned so that a dead backend costs no request (see FACTS: measured 2,000/2,000
// with a backend SIGKILLed half-way). Written into the machine's folder with the
// pid file and all five temp paths inside it (the Debian build would use
// /var/lib/nginx), then checked with `nginx -t`.
import { ConfigError } from '../../../src/errors.js';
import type { Provisioner, ProvisionerContext } from '../../../src/index.js';
import { registerProvisioner } from '../../../src/index.js';
import type { MachineFolderOutput } from './machine-folder.js';
import { onMachines, shellQuote } from './on-machines.js';

export const NGINX = '/usr/sbin/nginx';

export interface NginxConfigOptions {
  /** The dependency group whose `services` (a RemoteService output) are the backends. */
  upstream: string;
  /** Port nginx listens on, at the machine's address. */
  port: number;
  keyPaths?: string[];
}

export class NginxConfig implements Provisioner<MachineFolderOutput, MachineFolderOutput> {
  name = '';
  upstream: string;
  port: number;
  keyPaths: string[] | undefined;
  backends: string[] = [];

  constructor(options: NginxConfigOptions) {
    if (typeof options?.upstream !== 'string' || options.upstream === '')
      throw new ConfigError(`NginxConfig: expected \`upstream\` to be a group name, got ${JSON.stringify(options?.upstream)}.`);
    if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65_535)
      throw new ConfigError(`NginxConfig: expected \`port\` to be a TCP port, got ${JSON.stringify(options.port)}.`);
    this.upstream = options.upstream;
    this.port = options.port;
    this.keyPaths = options.keyPaths;
  }

  async startup(input: MachineFolderOutput, ctx: ProvisionerContext): Promise<MachineFolderOutput> {
    const services = (ctx.dependencies[this.upstream] as { services?: Array<{ address: string }> } | undefined)?.services;
    if (!Array.isArray(services) || services.length === 0)
      throw new ConfigError(
        `NginxConfig: expected dependency "${this.upstream}" to have \`services\` (a RemoteService output), got ${JSON.stringify(ctx.dependencies[this.upstream])}; add it to dependsOn.`,
      );
    if (!input?.machines?.every((m) => typeof m.folder === 'string'))
      throw new ConfigError('NginxConfig: expected its input to be a MachineFolder output (each machine with a `folder`).');
    this.backends = services.map((s) => s.address);
    await onMachines(input.machines, ctx, { operation: 'Write the nginx config', keyPaths: this.keyPaths }, async (machine, info) => {
      const dir = input.folders[info.name]!;
      await machine.writeFile(`${dir}/nginx.conf`, nginxConf(dir, `${info.address}:${this.port}`, this.backends), { signal: ctx.signal });
      // -t also makes the temp folders; its output names the line of a bad directive.
      await machine.execute(`${NGINX} -t -q -p ${shellQuote(`${dir}/`)} -c ${shellQuote(`${dir}/nginx.conf`)} -e stderr`, {
        signal: ctx.signal,
      });
    });
    return input;
  }

  // The file goes with the machine's folder (MachineFolder's shutdown).
  shutdown(): boolean {
    return true;
  }

  report(): string[] {
    return [
      `nginx on port ${this.port} → ${this.backends.length > 0 ? this.backends.join(', ') : `(the ${this.upstream} group's services)`}`,
    ];
  }
}
registerProvisioner(NginxConfig);

/** The tuned config (FACTS.md, "A load balancer that drops nothing when a backend dies"). */
export function nginxConf(dir: string, listen: string, backends: readonly string[]): string {
  return `# Written by the cluster example's NginxConfig step.
user www-data;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream backends {
${backends.map((b) => `    server ${b} max_fails=1 fail_timeout=5s;`).join('\n')}
    keepalive 16;
  }
  server {
    listen ${listen};
    location / {
      proxy_pass http://backends;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      # A dead backend: connect errors and timeouts go to the next one, fast.
      proxy_connect_timeout 300ms;
      proxy_read_timeout 1s;
      proxy_send_timeout 1s;
      proxy_next_upstream error timeout;
      proxy_next_upstream_tries 3;
      proxy_next_upstream_timeout 5s;
    }
  }
}
`;
}
