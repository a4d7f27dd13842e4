/** (being built) */
import type { Route } from '../context';

export const ACTION_ROUTES: Route[] = [];
