import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/index.js';
import { Machines } from '../../src/provisioners/machines/machines.js';
import { RunOnMachines } from '../../src/provisioners/machines/run-on-machines.js';
import {
  hostLinks,
  keyFolder,
  namespaces,
  processesUsing,
  removeNamespacesWithPrefix,
  netnsAvailable,
  uniquePrefix,
} from '../helpers/netns.js';
import { readRawState } from '../helpers/state.js';
import { tempDir } from '../helpers/temp.js';

const prefix = uniquePrefix();
const SUBNET = '10.231.0.0/16';

afterEach(() => removeNamespacesWithPrefix(prefix));

describe('netns driver end to end', () => {
  it.runIf(netnsAvailable)(
    'brings up two hosts answering over SSH at their own addresses, hands them on, and teardown leaves nothing',
    async () => {
      const dir = await tempDir('gw-netns-');
      const keys = await keyFolder(dir, 'demo');
      const driverDir = join(dir, 'netns');
      const s = await Scheduler.open({ stateFile: join(dir, 'state.json') });
      try {
        await s.schedule('hosts', [
          new Machines({
            driver: `netns:${driverDir}`,
            driverConfig: { prefix, subnet: SUBNET },
            machines: ['web1', 'web2'],
            keyName: 'demo',
            keyPaths: [keys],
            setup: ['true'],
          }),
          new RunOnMachines({ command: 'ip -4 -o addr show scope global', keyPaths: [keys] }),
        ]);
        const summary = await s.run();
        expect(summary.groups[0]?.error).toBeUndefined();
        expect(summary.ok).toBe(true);

        const tag = `${prefix}-${s.stateId.replace(/-/g, '').slice(0, 8)}-`;
        expect((await namespaces()).filter((n) => n.startsWith(`${prefix}-`)).sort()).toEqual([`${tag}web1`, `${tag}web2`]);
        const { outputs } = s.output('hosts') as { outputs: Record<string, string> };
        // Each machine's command ran inside its own namespace: it sees only its own address.
        const web1 = /inet (10\.231\.\d+\.\d+)/.exec(outputs.web1 ?? '')?.[1];
        const web2 = /inet (10\.231\.\d+\.\d+)/.exec(outputs.web2 ?? '')?.[1];
        expect(web1).toBeDefined();
        expect(web2).toBeDefined();
        expect(web1).not.toBe(web2);
        const report = s.status()[0]!.steps[0]!.report.join('\n');
        expect(report).toContain(`root@${web1}:22`);
        expect(report).toContain(`root@${web2}:22`);
        expect(report).toContain('stage converged');
        expect(processesUsing(driverDir).length).toBe(2); // one sshd per machine
        // References name the key and pin the host key; no key text is saved.
        const saved = JSON.stringify(readRawState(join(dir, 'state.json')));
        expect(saved).toMatch(/"keyName":"demo"/);
        expect(saved).toMatch(/"hostKey":"SHA256:[A-Za-z0-9+/]{43}"/);
        expect(saved).not.toContain('PRIVATE KEY');

        const down = await s.teardown();
        expect(down.ok).toBe(true);
      } finally {
        await s.close();
      }
      expect((await namespaces()).filter((n) => n.startsWith(`${prefix}-`))).toEqual([]);
      expect((await hostLinks()).filter((l) => l.ifalias?.startsWith(`${prefix}-`))).toEqual([]);
      expect(processesUsing(driverDir)).toEqual([]);
    },
  );
});
