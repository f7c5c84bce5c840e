import { runCli } from './src/cli/index.js';
await runCli();
