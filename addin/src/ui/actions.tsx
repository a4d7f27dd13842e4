/** (being built) */
import type { SideBookProps } from './livres';

export function Actions(_props: SideBookProps) {
  return null;
}
