'use strict';
// `require('groundwork/cli')`: the command line runs in the ESM build, where the config
// (bundled to a temporary .mjs) registers its provisioner classes.
exports.runCli = (options) => import('./cli.js').then((cli) => cli.runCli(options));
