/** The command line's exit codes (README "The command line"). */
export const ExitCode = { Ok: 0, Failed: 1, Usage: 2, Locked: 3, Interrupted: 130 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
