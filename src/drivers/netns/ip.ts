import { execa } from 'execa';
import { DriverError } from '../../errors.js';

// Thin wrappers over iproute2. `ip -j` gives JSON, so nothing is scraped from text.

async function ip(args: string[], signal?: AbortSignal, input?: string): Promise<string> {
  const result = await execa('ip', args, {
    reject: false,
    ...(input === undefined ? {} : { input }),
    ...(signal ? { cancelSignal: signal } : {}),
  });
  if (result.failed) {
    const why = result.stderr.trim() || result.shortMessage;
    const what = input === undefined ? args.join(' ') : `${args.join(' ')} <<< ${input.trim().split('\n').join('; ')}`;
    throw new DriverError(`\`ip ${what}\` failed: ${why}`, { cause: result });
  }
  return result.stdout;
}

/** Several commands in one `ip -batch` (one process instead of one each: allocation spawns add up). */
async function ipBatch(namespace: string | undefined, commands: string[], signal?: AbortSignal): Promise<void> {
  if (commands.length > 0) await ip([...(namespace ? ['-n', namespace] : []), '-batch', '-'], signal, `${commands.join('\n')}\n`);
}

interface AddrLink {
  ifname: string;
  addr_info?: Array<{ family: string; local: string }>;
}

/**
 * Make sure `namespace` is wired: a veth pair (`veth.inner` created straight
 * inside it, so there is no moment with both ends on the host; the host end's
 * alias is the namespace), `hostCidr` on the host end, `innerCidr` inside,
 * both up, and lo up. Idempotent: only what is missing is done.
 */
export async function wireNamespace(
  namespace: string,
  veth: { host: string; inner: string },
  hostCidr: string,
  innerCidr: string,
  signal?: AbortSignal,
): Promise<void> {
  const has = (links: AddrLink[], name: string, cidr: string) =>
    links.find((l) => l.ifname === name)?.addr_info?.some((a) => a.family === 'inet' && a.local === cidr.split('/')[0]) ?? false;
  const onHost = json<AddrLink>(await ip(['-j', 'addr', 'show'], signal));
  const hostSide: string[] = [];
  if (!onHost.some((l) => l.ifname === veth.host)) {
    hostSide.push(`link add ${veth.host} type veth peer name ${veth.inner} netns ${namespace}`, `link set ${veth.host} alias ${namespace}`);
  }
  if (!has(onHost, veth.host, hostCidr)) hostSide.push(`addr add ${hostCidr} dev ${veth.host}`);
  await ipBatch(undefined, [...hostSide, `link set ${veth.host} up`], signal);
  const inside = json<AddrLink>(await ip(['-n', namespace, '-j', 'addr', 'show'], signal));
  const innerSide = has(inside, veth.inner, innerCidr) ? [] : [`addr add ${innerCidr} dev ${veth.inner}`];
  await ipBatch(namespace, [...innerSide, `link set ${veth.inner} up`, 'link set lo up'], signal);
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

export async function deleteLink(name: string, signal?: AbortSignal): Promise<void> {
  await ip(['link', 'delete', name], signal);
}

export async function linkExists(name: string, namespace?: string, signal?: AbortSignal): Promise<boolean> {
  return (await listLinks(namespace, signal)).some((l) => l.ifname === name);
}

/** Take a link down (in the host namespace, or in `namespace`): what a pulled cable looks like. */
export async function setLinkDown(name: string, namespace?: string, signal?: AbortSignal): Promise<void> {
  await ip([...(namespace ? ['-n', namespace] : []), 'link', 'set', name, 'down'], signal);
}
