import { execa } from 'execa';
import { DriverError } from '../../errors.js';

// Thin wrappers over iproute2. `ip -j` gives JSON, so nothing is scraped from text.

async function ip(args: string[], signal?: AbortSignal): Promise<string> {
  const result = await execa('ip', args, { reject: false, ...(signal ? { cancelSignal: signal } : {}) });
  if (result.failed) {
    const why = result.stderr.trim() || result.shortMessage;
    throw new DriverError(`\`ip ${args.join(' ')}\` failed: ${why}`, { cause: result });
  }
  return result.stdout;
}

function json<T>(text: string): T[] {
  return text.trim() === '' ? [] : (JSON.parse(text) as T[]);
}

export async function listNamespaces(signal?: AbortSignal): Promise<string[]> {
  return json<{ name: string }>(await ip(['-j', 'netns', 'list'], signal)).map((n) => n.name);
}

export async function namespaceExists(name: string, signal?: AbortSignal): Promise<boolean> {
  return (await listNamespaces(signal)).includes(name);
}

export async function addNamespace(name: string, signal?: AbortSignal): Promise<void> {
  await ip(['netns', 'add', name], signal);
}

export async function deleteNamespace(name: string, signal?: AbortSignal): Promise<void> {
  await ip(['netns', 'delete', name], signal);
}

/** Pids of the processes running in the namespace. */
export async function namespacePids(name: string, signal?: AbortSignal): Promise<number[]> {
  return (await ip(['netns', 'pids', name], signal))
    .split('\n')
    .filter((line) => /^\d+$/.test(line.trim()))
    .map(Number);
}

export interface LinkInfo {
  ifname: string;
  ifalias?: string;
}

/** Links in the host namespace (or in `namespace`). */
export async function listLinks(namespace?: string, signal?: AbortSignal): Promise<LinkInfo[]> {
  return json<LinkInfo>(await ip([...(namespace ? ['-n', namespace] : []), '-j', 'link', 'show'], signal));
}

/** IPv4 addresses in the host namespace (or in `namespace`), as `{ ifname, local }`. */
export async function ipv4Addresses(namespace?: string, signal?: AbortSignal): Promise<Array<{ ifname: string; local: string }>> {
  const links = json<{ ifname: string; addr_info?: Array<{ family: string; local: string }> }>(
    await ip([...(namespace ? ['-n', namespace] : []), '-j', '-4', 'addr', 'show'], signal),
  );
  return links.flatMap((l) => (l.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => ({ ifname: l.ifname, local: a.local })));
}

/** A veth pair whose `inner` end is created straight inside `namespace` (no moment with both ends on the host). */
export async function addVethPair(host: string, inner: string, namespace: string, alias: string, signal?: AbortSignal): Promise<void> {
  await ip(['link', 'add', host, 'type', 'veth', 'peer', 'name', inner, 'netns', namespace], signal);
  await ip(['link', 'set', host, 'alias', alias], signal);
}

export async function deleteLink(name: string, signal?: AbortSignal): Promise<void> {
  await ip(['link', 'delete', name], signal);
}

export async function linkExists(name: string, namespace?: string, signal?: AbortSignal): Promise<boolean> {
  return (await listLinks(namespace, signal)).some((l) => l.ifname === name);
}

/** Give `link` the address (`a.b.c.d/len`) unless it has it, and bring it up. */
export async function configureLink(link: string, cidr: string, namespace: string | undefined, signal?: AbortSignal): Promise<void> {
  const ns = namespace ? ['-n', namespace] : [];
  const [address] = cidr.split('/');
  const has = (await ipv4Addresses(namespace, signal)).some((a) => a.ifname === link && a.local === address);
  if (!has) await ip([...ns, 'addr', 'add', cidr, 'dev', link], signal);
  await ip([...ns, 'link', 'set', link, 'up'], signal);
}

export async function loopbackUp(namespace: string, signal?: AbortSignal): Promise<void> {
  await ip(['-n', namespace, 'link', 'set', 'lo', 'up'], signal);
}
