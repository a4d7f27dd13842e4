/** (being built) */
import type { SideBookProps } from './livres';

export function Regies(_props: SideBookProps) {
  return null;
}
