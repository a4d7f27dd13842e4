/** (being built) */
import type { Route } from '../context';

export const COOP_ADMIN_ROUTES: Route[] = [];
