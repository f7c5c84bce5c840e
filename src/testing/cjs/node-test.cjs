'use strict';
// `require('groundwork/node-test')`: runs the ESM build, which shares the registries with `groundwork`.
exports.useCluster = (options) => import('./node-test.js').then((hook) => hook.useCluster(options));
