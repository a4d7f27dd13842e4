/** (being built) */
import type { Route } from '../context';

export const REGIE_ROUTES: Route[] = [];
