// The library side of bench/cli.ts: provision or tear down the generated config's groups
// through the Scheduler alone (no CLI, no printing).  cli-lib.ts provision|teardown <config> <state>
import { registerBuiltins } from '../src/builtins.js';
import { loadConfig } from '../src/config/load.js';
import { Scheduler } from '../src/index.js';
import { silentLogger } from '../src/logger.js';

const [what, configFile, stateFile] = process.argv.slice(2) as [string, string, string];
registerBuiltins();
const config = await loadConfig(configFile);
const scheduler = await Scheduler.open({ stateFile, logger: silentLogger, concurrency: config.concurrency });
if (what === 'provision') {
  await scheduler.scheduleAll(config.groups);
  const summary = await scheduler.run();
  if (!summary.ok) throw new Error('library provision failed');
} else {
  const summary = await scheduler.teardown();
  if (!summary.ok) throw new Error('library teardown failed');
}
await scheduler.close();
