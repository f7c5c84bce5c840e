import { expect, test } from 'vitest';
import { registerProvisioner, Scheduler } from '../../src/index.js';
import { StubProvisioner } from '../helpers/provisioners.js';
import { tempStateFile } from '../helpers/temp.js';

class Echo extends StubProvisioner {
  constructor(public value: string) {
    super();
  }
  override startup(input: unknown) {
    return { from: this.value, input };
  }
  override report() {
    return [this.value];
  }
}
registerProvisioner(Echo);

test('a pipeline passes each return to the next provisioner', async () => {
  await using s = await Scheduler.open({ stateFile: await tempStateFile() });
  await s.schedule('a', [new Echo('one'), new Echo('two')]);
  const summary = await s.run();
  expect(summary.ok).toBe(true);
  expect(s.output('a')).toEqual({ from: 'two', input: { from: 'one', input: null } });
});
