'use strict';
// `groundwork/jest/teardown` in a CommonJS project: runs the ESM build, as jest-setup.cjs does.
module.exports = (globalConfig, projectConfig) => import('./jest-teardown.js').then((hook) => hook.default(globalConfig, projectConfig));
