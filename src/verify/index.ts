export * from './extract.js';
export * from './latex.js';
export * from './equivalence.js';
export * from './verify.js';
export * from './pool.js';
export type { VerifyRequest, VerifyResponse } from './worker-entry.js';
