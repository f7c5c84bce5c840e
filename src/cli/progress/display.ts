/** How progress is shown: decided once, by runCli, from the environment and stdout. */
export interface Display {
  /** Redraw a live task list / summary in place (a terminal, not CI). */
  live: boolean;
  colour: boolean;
  /** The terminal the live view draws on (stdout). */
  terminal?: Terminal;
}

/**
 * stdout on a terminal. Whatever a task prints goes through `print`, which
 * first erases the live frame (it is redrawn below on the next tick), so a
 * line never lands inside the frame.
 */
export class Terminal {
  /** The live view drawing now, if any. */
  frame: { clear(): void } | undefined;
  constructor(readonly stream: NodeJS.WriteStream) {}

  print(line: string): void {
    this.frame?.clear();
    this.stream.write(`${line}\n`);
  }
}

export const PLAIN: Display = { live: false, colour: false };

/**
 * A live view only on a terminal outside CI; colour on a terminal unless
 * NO_COLOR (https://no-color.org) or FORCE_COLOR=0, or anywhere with FORCE_COLOR=1..3.
 */
export function decideDisplay(env: NodeJS.ProcessEnv, stdout: NodeJS.WriteStream): Display {
  const tty = stdout.isTTY === true && env.TERM !== 'dumb';
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  const noColour = (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false';
  const forced = env.FORCE_COLOR !== undefined && !noColour && env.FORCE_COLOR !== '';
  // A pty that reports no size (0 rows, as under `script` without a terminal) cannot hold a frame.
  const live = tty && !ci && (stdout.rows ?? 0) > 0 && (stdout.columns ?? 0) > 0;
  return { live, colour: !noColour && (tty || forced), ...(live ? { terminal: new Terminal(stdout) } : {}) };
}
