// The regulation as pure rules: no I/O, no clock (dates come in as arguments).
export * from './allocation.ts';
export * from './assessment.ts';
export * from './calendar.ts';
export * from './codice-fiscale.ts';
export * from './delivery.ts';
export * from './eligibility.ts';
export * from './evaluation.ts';
export * from './fees.ts';
export * from './isee.ts';
export * from './istruttoria.ts';
export * from './ledger.ts';
export * from './programme.ts';
export * from './services.ts';
export * from './waiting-list.ts';
export { FieldErrorCollector, fieldsFromZodIssues, messageRef, type FieldErrors } from './validation.ts';
