#!/usr/bin/env node
// The `groundwork` command (package.json `bin`): the same command line as tasks.ts.
import { runCli } from './run-cli.js';

await runCli();
