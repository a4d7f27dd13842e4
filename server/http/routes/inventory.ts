/** (being built) */
import type { Route } from '../context';

export const INVENTORY_ROUTES: Route[] = [];
