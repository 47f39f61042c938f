export * from './errors.js';
export * from './jsonl.js';
export * from './parquet.js';
export * from './rows.js';
export * from './io.js';
export * from './summary.js';
export * from './mixture-file.js';
export * from './atomic.js';
