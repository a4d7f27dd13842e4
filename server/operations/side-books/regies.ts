/** The régies d'avance of an exercise, per holder, from its lines (pure rules: templates/definition/regies.ts). */
import { regiesBook, type RegiesJson } from '../../../templates/definition';
import type { Scope } from '../changes';
import { liveLines } from './book-lines';

/** Per holder: given, spent (by chapter), returned, balance, lines; and what the closure checks. */
export async function regiesOf(scope: Scope): Promise<RegiesJson> {
  return regiesBook(await liveLines(scope));
}
