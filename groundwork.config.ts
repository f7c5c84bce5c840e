// The default config: the demo in examples/demo (a db and an app that depends on it).
import demo from './examples/demo/config.js';

export default { ...demo, stateFile: '.groundwork/state.json' };
