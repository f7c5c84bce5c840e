/** The command line's exit codes (README "The command line"). */
// StateFile: the state file is damaged, unreadable or not a Groundwork state (not 1: no provisioner failed).
export const ExitCode = { Ok: 0, Failed: 1, Usage: 2, Locked: 3, StateFile: 4, Interrupted: 130 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
