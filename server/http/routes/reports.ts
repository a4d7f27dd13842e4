/** (being built) */
import type { Route } from '../context';

export const REPORT_ROUTES: Route[] = [];
