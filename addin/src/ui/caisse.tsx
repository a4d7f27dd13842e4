/** (being built) */
import type { SideBookProps } from './livres';

export function Caisse(_props: SideBookProps) {
  return null;
}
