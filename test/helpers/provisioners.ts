// Minimal provisioners for tests that need one but do not test provisioners.
import { registerProvisioner, type Provisioner, type ProvisionerContext } from '../../src/index.js';

/** Does nothing and succeeds: startup returns true, shutdown true, no report lines. Extend it and override what a test needs. */
export class StubProvisioner implements Provisioner {
  name = '';
  startup(_input: unknown, _ctx: ProvisionerContext): unknown {
    return true;
  }
  shutdown(_ctx: ProvisionerContext): unknown {
    return true;
  }
  report(): string[] {
    return [];
  }
}

/** Startup returns `{ tag }`; reports `[tag]`. */
export class Tagged extends StubProvisioner {
  constructor(public tag: string) {
    super();
  }
  override startup() {
    return { tag: this.tag };
  }
  override report() {
    return [this.tag];
  }
}

/** The id `Tagged` is registered under (how a state file names its class). */
export const TAGGED_ID = 'test-helpers:Tagged';
registerProvisioner(Tagged, TAGGED_ID);
