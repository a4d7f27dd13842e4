/** (being built) */
import type { Route } from '../context';

export const CLOSURE_ROUTES: Route[] = [];
