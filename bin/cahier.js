#!/usr/bin/env node
// Cahier Coop command line. The sources are TypeScript, loaded on the fly.
require('tsx/cjs/api').register();
const { main } = require('../server/cli/main.ts');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`Erreur inattendue : ${error && error.stack ? error.stack : error}\n`);
    process.exitCode = 1;
  },
);
