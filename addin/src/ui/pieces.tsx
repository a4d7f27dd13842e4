/** (being built) */
import type { SyncEngine } from '../sync';

export function Pieces(_props: { engine: SyncEngine; row: number }) {
  return null;
}
