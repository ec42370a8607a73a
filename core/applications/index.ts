// Applications: the status workflow and what the art. 4 written answer says (pure).
export * from './workflow.ts';
export * from './written-answer.ts';
export * from './dates.ts';
