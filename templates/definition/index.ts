/** The cahier definition: pure data and functions shared by every part of Cahier Coop. */
export * from './money';
export * from './dates';
export * from './chapters';
export * from './kinds';
export * from './line';
export * from './rules';
export * from './compute';
export * from './columns';
export * from './sheet-row';
export * from './side-books';
export * from './side-book-contract';
export * from './subventions';
export * from './inventaire';
export * from './iban';
export * from './statements';
export * from './matching';
export * from './reconciliation';
