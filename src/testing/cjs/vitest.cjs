'use strict';
// `require('groundwork/vitest')`: the hook runs in the ESM build, which shares the registries
// with `groundwork` (the config registers its provisioner classes there).
exports.groundworkGlobalSetup = (options) => (project) =>
  import('./vitest.js').then((hook) => hook.groundworkGlobalSetup(options)(project));
