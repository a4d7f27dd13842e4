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
import { CASH_COUNT_ROUTES } from './routes/cash-counts';
import { SUBSIDY_ROUTES } from './routes/subsidies';
import { INVENTORY_ROUTES } from './routes/inventory';
import { REGIE_ROUTES } from './routes/regies';
import { ACTION_ROUTES } from './routes/actions';
import { ATTACHMENT_ROUTES } from './routes/attachments';
import { COOP_ADMIN_ROUTES } from './routes/coop-admin';
import { CLOSURE_ROUTES } from './routes/closure';
import { REPORT_ROUTES } from './routes/reports';
import { PRINTABLE_ROUTES } from './routes/printable';
import { IMPORT_ROUTES } from './routes/imports';
import { DASHBOARD_ROUTES } from './routes/dashboard';
import { EXPORT_ROUTES } from './routes/export';

export type { Route } from './context';

export const ROUTES: Route[] = [
  ...SERVICE_ROUTES,
  ...SESSION_ROUTES,
  ...COOP_ROUTES,
  ...EXERCISE_ROUTES,
  ...LINE_ROUTES,
  ...STATEMENT_ROUTES,
  ...CASH_COUNT_ROUTES,
  ...SUBSIDY_ROUTES,
  ...INVENTORY_ROUTES,
  ...REGIE_ROUTES,
  ...ACTION_ROUTES,
  ...ATTACHMENT_ROUTES,
  ...COOP_ADMIN_ROUTES,
  ...CLOSURE_ROUTES,
  ...REPORT_ROUTES,
  ...PRINTABLE_ROUTES,
  ...IMPORT_ROUTES,
  ...DASHBOARD_ROUTES,
  ...EXPORT_ROUTES,
];
