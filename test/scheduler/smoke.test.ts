import { join } from 'node:path';
import { expect, test } from 'vitest';
import { registerProvisioner, Scheduler, type Provisioner } from '../../src/index.js';
import { tempDir } from '../helpers/temp.js';

class Echo implements Provisioner {
  name = '';
  constructor(public value: string) {}
  startup(input: unknown) {
    return { from: this.value, input };
  }
  shutdown() {
    return true;
  }
  report() {
    return [this.value];
  }
}
registerProvisioner(Echo);

test('a pipeline passes each return to the next provisioner', async () => {
  const dir = await tempDir();
  await using s = await Scheduler.open({ stateFile: join(dir, 'state.json') });
  await s.schedule('a', [new Echo('one'), new Echo('two')]);
  const summary = await s.run();
  expect(summary.ok).toBe(true);
  expect(s.output('a')).toEqual({ from: 'two', input: { from: 'one', input: null } });
});
