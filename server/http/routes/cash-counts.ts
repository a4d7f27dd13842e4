/** (being built) */
import type { Route } from '../context';

export const CASH_COUNT_ROUTES: Route[] = [];
