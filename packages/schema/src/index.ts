export * from './paper.js';
export * from './page.js';
export * from './jobs.js';
export * from './api.js';
export * from './ids.js';
export * from './merge.js';
export * from './days.js';
export * from './watches.js';
