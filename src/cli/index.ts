// `groundwork/cli`: the command line as a function, for a user's own tasks.ts.
export { runCli } from './run-cli.js';
export type { RunCliOptions } from './run-cli.js';
