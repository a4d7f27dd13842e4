/** (being built) */
import type { Route } from '../context';

export const PRINTABLE_ROUTES: Route[] = [];
