import type { z } from 'zod';

/** An invalid configuration; `field` is the dotted path of the offending field. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses `input` with `schema`; on failure throws a ConfigError that names the field. */
export function parseWith<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const res = schema.safeParse(input ?? {});
  if (res.success) return res.data;
  const issue = res.error.issues[0];
  const field = issue.path.map(String).join('.') || '(root)';
  const all = res.error.issues
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  throw new ConfigError(`invalid ${what} config: field "${field}": ${all}`, field);
}
