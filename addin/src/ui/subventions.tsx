/** (being built) */
import type { SideBookProps } from './livres';

export function Subventions(_props: SideBookProps) {
  return null;
}
