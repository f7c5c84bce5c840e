import { StringDecoder } from 'node:string_decoder';
import type { ClientChannel } from 'ssh2';
import type { ExecuteOptions, ExecuteResult } from '../machines/machine.js';
import type { SshLink } from './link.js';
import { DEFAULT_COMMAND_TIMEOUT_MS, settle, stripFinalNewline, timeoutOption, watchOperation, type Watch } from '../machines/operation.js';

/** POSIX single-quoting for the remote shell. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** How long stopping a remote command may take (TERM, then KILL after ~2 s) before we give up on it. */
const STOP_LIMIT_MS = 5_000;

/**
 * Stopping a remote command: OpenSSH refuses "signal" requests for root
 * sessions (no privilege separation after a root login), and closing an exec
 * channel without a pty leaves the command running. So the remote shell
 * first prints its pid on stderr (a marker line, stripped from the output); it leads the
 * session's process group (sshd calls setsid), and a second channel sends
 * the group TERM, then KILL if it is still there after 2 s.
 */
function wrap(command: string, cwd: string | undefined): string {
  const cd = cwd === undefined ? '' : `cd ${shellQuote(cwd)} || exit\n`;
  return `echo "groundwork-pid:$$" >&2\n${cd}${command}`;
}

const PID_MARKER = /^groundwork-pid:(\d+)$/;

function stopScript(pid: number): string {
  return `kill -TERM -${pid} 2>/dev/null || exit 0\ni=0\nwhile kill -0 -${pid} 2>/dev/null; do i=$((i+1)); if [ $i -gt 20 ]; then kill -KILL -${pid} 2>/dev/null; exit 0; fi; sleep 0.1; done`;
}

/**
 * Run one command on its own channel, with its own timeout and signal. A
 * missing exit code (killed, connection dropped) is a failure. We use ssh2's
 * Client directly: node-ssh's execCommand has neither timeout nor
 * cancellation and resolves a dropped connection like a finished command.
 */
export function execOnChannel(link: SshLink, command: string, options: ExecuteOptions = {}): Promise<ExecuteResult> {
  const timeoutMs = timeoutOption(options.timeout, DEFAULT_COMMAND_TIMEOUT_MS);
  return new Promise((resolve, reject) => new ChannelRun(link, command, options, timeoutMs, { resolve, reject }).start());
}

type Stream = 'stdout' | 'stderr';
type StopReason = 'timeout' | 'abort';

/**
 * One command on one channel, from opening it to its result. It settles once:
 * on the channel's close, a timeout, an abort or a dropped connection. A
 * stopped command settles at once; the remote kill goes on in the background
 * (the link's close() waits for it).
 */
class ChannelRun {
  readonly #started = performance.now();
  readonly #out = { stdout: '', stderr: '' };
  readonly #decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  readonly #marker = new PidMarker();
  #channel: ClientChannel | undefined;
  #exitCode: number | undefined;
  #exitSignal: string | undefined;
  #stoppedBy: StopReason | undefined;
  #cause: unknown;
  #done = false;
  #killing = false;
  /** Closes the channel if the pid never comes after a stop. */
  #fallback: NodeJS.Timeout | undefined;
  #watch: Watch | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(
    private readonly link: SshLink,
    private readonly command: string,
    private readonly options: ExecuteOptions,
    private readonly timeoutMs: number,
    private readonly settled: { resolve(result: ExecuteResult): void; reject(error: unknown): void },
  ) {}

  start(): void {
    const { link, options } = this;
    this.#watch = watchOperation(this.timeoutMs, options.signal, (why) => this.#stop(why));
    this.#unsubscribe = link.onGone((error) => this.#fail(error));
    const gone = link.gone();
    if (gone) {
      this.#cause = gone;
      return this.#finish();
    }
    if (options.signal?.aborted) {
      this.#stoppedBy = 'abort';
      return this.#finish();
    }
    try {
      link.client.exec(wrap(this.command, options.cwd), (error, channel) => {
        if (error) return this.#fail(link.gone() ?? error);
        this.#open(channel);
      });
    } catch (error) {
      // ssh2 throws synchronously when the socket is no longer writable
      this.#fail(link.gone() ?? error);
    }
  }

  #open(channel: ClientChannel): void {
    this.#channel = channel;
    if (this.#done && !this.#stoppedBy) return void channel.close();
    channel.on('data', (chunk: Buffer) => this.#onData('stdout', chunk));
    channel.stderr.on('data', (chunk: Buffer) => this.#onData('stderr', chunk));
    // Stream errors are followed by 'close'; without a listener they would be thrown.
    channel.on('error', (e: unknown) => (this.#cause ??= e));
    channel.stderr.on('error', (e: unknown) => (this.#cause ??= e));
    channel.on('exit', (code: number | null | undefined, signalName?: string) => {
      this.#exitCode = typeof code === 'number' ? code : undefined;
      this.#exitSignal = signalName ?? undefined;
    });
    channel.on('close', () => {
      clearTimeout(this.#fallback);
      this.#finish();
    });
    channel.end();
  }

  #onData(stream: Stream, chunk: Buffer): void {
    let text = this.#decoders[stream].write(chunk);
    if (stream === 'stderr' && !this.#marker.found) {
      text = this.#marker.take(text);
      // Stopped before the pid came: kill now that we know whom.
      if (this.#marker.found && this.#stoppedBy) this.#killOnce();
    }
    if (this.#done || this.#stoppedBy) return;
    this.#out[stream] += text;
    if (text !== '') this.options.onOutput?.(text, stream);
  }

  /** The connection failed or dropped: settle with that cause (the first one wins). */
  #fail(cause: unknown): void {
    this.#cause ??= cause;
    this.#finish();
  }

  #stop(why: StopReason): void {
    if (this.#done) return;
    this.#stoppedBy = why;
    this.#finish();
    if (this.link.gone()) return void this.#channel?.close();
    if (this.#marker.pid !== undefined) return this.#killOnce();
    // The pid may still be on its way (stdout and stderr are not ordered, or the channel is opening): #onData kills once it comes.
    this.#fallback = setTimeout(() => this.#channel?.close(), STOP_LIMIT_MS);
  }

  #killOnce(): void {
    const pid = this.#marker.pid;
    if (this.#killing || pid === undefined) return;
    this.#killing = true;
    clearTimeout(this.#fallback);
    this.link.track(killRemote(this.link, pid).finally(() => this.#channel?.close()));
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#watch?.dispose();
    this.#unsubscribe?.();
    if (!this.#stoppedBy) this.#channel?.close();
    for (const stream of ['stdout', 'stderr'] as const) this.#out[stream] += this.#decoders[stream].end();
    try {
      this.settled.resolve(settle(this.#result(), this.options.reject, { timeoutMs: this.timeoutMs, cause: this.#cause }));
    } catch (error) {
      this.settled.reject(error);
    }
  }

  #result(): ExecuteResult {
    const stopped = this.#stoppedBy;
    const timedOut = stopped === 'timeout';
    const isCanceled = stopped === 'abort';
    return {
      machine: this.link.machine,
      command: this.command,
      exitCode: stopped === undefined ? this.#exitCode : undefined,
      signal: stopped === undefined ? this.#exitSignal : undefined,
      stdout: stripFinalNewline(this.#out.stdout),
      stderr: stripFinalNewline(this.#out.stderr),
      durationMs: Math.round(performance.now() - this.#started),
      timedOut,
      isCanceled,
      failed: timedOut || isCanceled || this.#exitCode !== 0 || this.#cause !== undefined,
    };
  }
}

/** Reads the remote shell's pid marker line off stderr. Lines before it (a login script may print some) stay in the output. */
class PidMarker {
  /** stderr text after the last newline, while the marker has not come. */
  #partial: string | undefined = '';
  pid: number | undefined;

  get found(): boolean {
    return this.#partial === undefined;
  }

  /** Feed stderr text until found; returns what belongs to the output (everything but the marker line and an unfinished line). */
  take(text: string): string {
    let pending = (this.#partial ?? '') + text;
    let passed = '';
    for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n')) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 1);
      const marker = PID_MARKER.exec(line);
      if (!marker) {
        passed += `${line}\n`;
        continue;
      }
      this.pid = Number(marker[1]);
      this.#partial = undefined;
      return passed + pending;
    }
    this.#partial = pending;
    return passed;
  }
}

/** Stop the remote command's process group over a second channel; resolves when done or after STOP_LIMIT_MS. */
function killRemote(link: SshLink, pid: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, STOP_LIMIT_MS);
    const done = () => {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    };
    const unsubscribe = link.onGone(done);
    try {
      link.client.exec(stopScript(pid), (error, channel) => {
        if (error) return done();
        channel.on('close', done);
        channel.on('error', () => {});
        channel.resume();
        channel.stderr.resume();
        channel.end();
      });
    } catch {
      done();
    }
  });
}
