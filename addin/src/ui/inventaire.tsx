/** (being built) */
import type { SideBookProps } from './livres';

export function Inventaire(_props: SideBookProps) {
  return null;
}
