/** flopwise algorithm core: pure functions, arrays in, arrays out. */
export * from './group.js';
export * from './weights.js';
export * from './advantages.js';
export * from './dynamic.js';
export * from './beta.js';
export * from './sgpo.js';
export * from './allocate.js';
export * from './linalg.js';
export * from './features.js';
export * from './gp.js';
export * from './flops.js';
