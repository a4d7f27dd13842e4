/**
 * Where the product's files are, whether the service runs from its TypeScript sources (tsx, the
 * tests) or compiled into dist/server (`npm start`, production): the directory of package.json.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'manifest.xml'))) return dir;
    if (dirname(dir) === dir) throw new Error(`Cahier Coop : racine du projet introuvable au-dessus de ${from}`);
  }
}

export const ROOT = packageRoot(__dirname);
