export * from './extract.js';
export * from './answer.js';
export * from './compare.js';
export * from './verify.js';
export * from './pool.js';
export { parseMath, ParseError } from './parse.js';
export type { Node } from './ast.js';
export type { VerifyRequest, VerifyResponse } from './worker-entry.js';
