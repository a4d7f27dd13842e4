/**
 * Every endpoint of the service: the route tables of each area, joined. The router and the
 * OpenAPI document are both built from this list, so what is documented is what is validated.
 */
import type { Route } from './context';
import { COOP_ROUTES } from './routes/coops';
import { EXERCISE_ROUTES } from './routes/exercises';
import { LINE_ROUTES } from './routes/lines';
import { SERVICE_ROUTES } from './routes/service';
import { SESSION_ROUTES } from './routes/session';
import { STATEMENT_ROUTES } from './routes/statements';

export type { Route } from './context';

export const ROUTES: Route[] = [
  ...SERVICE_ROUTES,
  ...SESSION_ROUTES,
  ...COOP_ROUTES,
  ...EXERCISE_ROUTES,
  ...LINE_ROUTES,
  ...STATEMENT_ROUTES,
];
