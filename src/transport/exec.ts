import { StringDecoder } from 'node:string_decoder';
import type { ClientChannel } from 'ssh2';
import type { ExecuteOptions, ExecuteResult } from '../machines/machine.js';
import type { SshLink } from './link.js';
import { DEFAULT_COMMAND_TIMEOUT_MS, settle, stripFinalNewline, timeoutOption, watchOperation } from '../machines/operation.js';

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
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const out = { stdout: '', stderr: '' };
    const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
    let pidLine: string | undefined = '';
    let remotePid: number | undefined;
    let channel: ClientChannel | undefined;
    let exitCode: number | undefined;
    let exitSignal: string | undefined;
    let stoppedBy: 'timeout' | 'abort' | undefined;
    let cause: unknown;
    let done = false;

    const finish = () => {
      if (done) return;
      done = true;
      watch.dispose();
      unsubscribe();
      if (!stoppedBy) channel?.close();
      for (const stream of ['stdout', 'stderr'] as const) out[stream] += decoders[stream].end();
      const timedOut = stoppedBy === 'timeout';
      const isCanceled = stoppedBy === 'abort';
      const result: ExecuteResult = {
        machine: link.machine,
        command,
        exitCode: stoppedBy === undefined ? exitCode : undefined,
        signal: stoppedBy === undefined ? exitSignal : undefined,
        stdout: stripFinalNewline(out.stdout),
        stderr: stripFinalNewline(out.stderr),
        durationMs: Math.round(performance.now() - started),
        timedOut,
        isCanceled,
        failed: timedOut || isCanceled || exitCode !== 0 || cause !== undefined,
      };
      try {
        resolve(settle(result, options.reject, { timeoutMs, cause }));
      } catch (error) {
        reject(error);
      }
    };

    // A stopped command settles at once; the remote kill goes on in the background (close() waits for it).
    let killing = false;
    let fallback: NodeJS.Timeout | undefined;
    const killOnce = () => {
      if (killing || remotePid === undefined) return;
      killing = true;
      clearTimeout(fallback);
      link.track(killRemote(link, remotePid).finally(() => channel?.close()));
    };
    const stop = (why: 'timeout' | 'abort') => {
      if (done) return;
      stoppedBy = why;
      finish();
      if (link.gone()) return channel?.close();
      if (remotePid !== undefined) return killOnce();
      // The pid may still be on its way (stdout and stderr are not ordered, or the channel is opening): onData kills once it comes.
      fallback = setTimeout(() => channel?.close(), STOP_LIMIT_MS);
    };

    const watch = watchOperation(timeoutMs, options.signal, stop);
    const unsubscribe = link.onGone((error) => {
      cause ??= error;
      finish();
    });
    const gone = link.gone();
    if (gone) {
      cause = gone;
      return finish();
    }
    if (options.signal?.aborted) {
      stoppedBy = 'abort';
      return finish();
    }

    // Lines before the pid marker (a login script may print some) stay in the output.
    const takePid = (text: string): string => {
      pidLine = (pidLine ?? '') + text;
      let passed = '';
      for (let end = pidLine.indexOf('\n'); end >= 0; end = pidLine.indexOf('\n')) {
        const line = pidLine.slice(0, end);
        pidLine = pidLine.slice(end + 1);
        const marker = PID_MARKER.exec(line);
        if (!marker) {
          passed += `${line}\n`;
          continue;
        }
        remotePid = Number(marker[1]);
        const rest = pidLine;
        pidLine = undefined;
        if (stoppedBy) killOnce();
        return passed + rest;
      }
      return passed;
    };

    const onData = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      let text = decoders[stream].write(chunk);
      if (stream === 'stderr' && pidLine !== undefined) text = takePid(text);
      if (done || stoppedBy) return;
      out[stream] += text;
      if (text !== '') options.onOutput?.(text, stream);
    };

    try {
      link.client.exec(wrap(command, options.cwd), (error, opened) => {
        if (error) {
          cause ??= link.gone() ?? error;
          return finish();
        }
        channel = opened;
        if (done && !stoppedBy) return opened.close();
        opened.on('data', onData('stdout'));
        opened.stderr.on('data', onData('stderr'));
        // Stream errors are followed by 'close'; without a listener they would be thrown.
        opened.on('error', (e: unknown) => (cause ??= e));
        opened.stderr.on('error', (e: unknown) => (cause ??= e));
        opened.on('exit', (code: number | null | undefined, signalName?: string) => {
          exitCode = typeof code === 'number' ? code : undefined;
          exitSignal = signalName ?? undefined;
        });
        opened.on('close', () => {
          clearTimeout(fallback);
          finish();
        });
        opened.end();
      });
    } catch (error) {
      // ssh2 throws synchronously when the socket is no longer writable
      cause ??= link.gone() ?? error;
      finish();
    }
  });
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
