/** The enumerations of the cahier definition, as tuples zod takes. */
import { ACCOUNTS as A, LINE_KINDS as K, MODES as M, PROBLEMS as P } from '../../templates/definition';
import { ROLES } from '../db/models';

export const LINE_KINDS = K;
export const ACCOUNTS = A;
export const MODES = M;
export const PROBLEMS = Object.keys(P) as [keyof typeof P, ...(keyof typeof P)[]];
export const ROLES_LIST = ROLES as unknown as ['mandataire', 'tresorier', 'admin'];
