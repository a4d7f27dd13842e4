/** (being built) */
import type { SideBookProps } from './livres';

export function Cooperative(_props: SideBookProps) {
  return null;
}
