/** (being built) */
import type { Route } from '../context';

export const ATTACHMENT_ROUTES: Route[] = [];
