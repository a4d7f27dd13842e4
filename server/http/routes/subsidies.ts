/** (being built) */
import type { Route } from '../context';

export const SUBSIDY_ROUTES: Route[] = [];
