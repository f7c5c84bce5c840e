'use strict';
// `groundwork/jest/setup` in a CommonJS project (Jest require()s globalSetup there): runs the ESM
// build, which shares the registries with `groundwork` (the config registers its classes there).
module.exports = (globalConfig, projectConfig) => import('./jest-setup.js').then((hook) => hook.default(globalConfig, projectConfig));
