#!/usr/bin/env node
// Cahier Coop command line. In production it runs the server compiled by `npm run build`
// (dist/server); without that build, or with CAHIER_SOURCES=1 (the tests), the TypeScript
// sources are loaded on the fly.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const compiled = join(__dirname, '../dist/server/server/cli/main.js');
let main;
if (!process.env.CAHIER_SOURCES && existsSync(compiled)) {
  ({ main } = require(compiled));
} else {
  require('tsx/cjs/api').register();
  ({ main } = require('../server/cli/main.ts'));
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`Erreur inattendue : ${error && error.stack ? error.stack : error}\n`);
    process.exitCode = 1;
  },
);
