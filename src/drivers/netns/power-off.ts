import { ConfigError } from '../../errors.js';
import { namespaceExists, namespacePids, setLinkDown } from './ip.js';
import { vethNames } from './names.js';
import { killAll } from './remove.js';

/** Where a machine is, as a Machines output names it (a `MachineInfo`). */
export interface PowerOffTarget {
  readonly name: string;
  readonly driverUrl: string;
  /** Set by the netns driver. */
  readonly namespace?: string | undefined;
}

export interface PowerOffOptions {
  /** `kill` (default): SIGKILL every process of the machine at once. `link-down`: its network cable pulled (processes keep running, unreachable). */
  mode?: 'kill' | 'link-down';
  signal?: AbortSignal;
}

/**
 * Cut a machine's power, for tests of what survives a dead node: for a netns
 * machine, every process in its namespace is SIGKILLed (sshd too), or its
 * link is taken down. The namespace, veth and claim stay, so the usual
 * teardown removes them. Other drivers are refused: there is no power to cut.
 */
export async function powerOff(machine: PowerOffTarget, options: PowerOffOptions = {}): Promise<void> {
  const mode = options.mode ?? 'kill';
  if (mode !== 'kill' && mode !== 'link-down')
    throw new ConfigError(`powerOff: expected \`mode\` to be 'kill' or 'link-down', got ${JSON.stringify(mode)}.`);
  const scheme = machine?.driverUrl?.split(':')[0];
  if (scheme !== 'netns')
    throw new ConfigError(
      `powerOff: machine ${JSON.stringify(machine?.name)} comes from driver ${JSON.stringify(machine?.driverUrl)}; only netns machines can be powered off (a test cannot cut an ssh or local host's power).`,
    );
  const namespace = machine.namespace;
  if (!namespace)
    throw new ConfigError(
      `powerOff: machine ${JSON.stringify(machine.name)} names no namespace; pass a MachineInfo from a Machines output (or a RemoteService output's machines) of this version.`,
    );
  if (!(await namespaceExists(namespace, options.signal)))
    throw new ConfigError(`powerOff: namespace ${namespace} of machine ${machine.name} does not exist (already torn down?).`);
  if (mode === 'link-down') await setLinkDown(vethNames(namespace).inner, namespace, options.signal);
  else await killAll(namespace, await namespacePids(namespace, options.signal), options.signal);
}
