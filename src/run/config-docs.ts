/**
 * The run config's documentation, read from the schema itself: every field with its description,
 * and the default config as commented YAML (`flopwise config --defaults`).
 */
import { stringify } from 'yaml';
import type { z } from 'zod';
import { TrainConfigSchema } from './config.js';

export interface FieldDoc {
  /** Dotted path; a union's variants appear as `allocator.(vip).upper`. */
  path: string;
  description: string | undefined;
}

interface Def {
  type: string;
  innerType?: z.ZodType;
  out?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  options?: z.ZodType[];
}
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Strips defaults, optionals and preprocessing; the first description met on the way is the field's. */
function unwrap(schema: z.ZodType): { core: z.ZodType; description: string | undefined } {
  let core = schema;
  let description = schema.description;
  for (;;) {
    const d = defOf(core);
    const next = d.type === 'pipe' ? d.out : d.innerType;
    if (!next || !['default', 'prefault', 'optional', 'pipe', 'nullable'].includes(d.type)) break;
    core = next;
    description ??= core.description;
  }
  return { core, description };
}

function variantName(option: z.ZodType): string {
  const type = defOf(option).shape?.type;
  const values = type ? (unwrap(type).core as unknown as { options?: unknown[]; value?: unknown }) : {};
  return String(values.value ?? values.options?.join('|') ?? '?');
}

function fields(schema: z.ZodType, prefix: string): FieldDoc[] {
  const d = defOf(schema);
  if (d.type === 'object') {
    return Object.entries(d.shape!).flatMap(([key, child]) => {
      const path = prefix ? `${prefix}.${key}` : key;
      const { core, description } = unwrap(child);
      return [{ path, description }, ...fields(core, path)];
    });
  }
  if (d.type === 'union') {
    return d.options!.flatMap((option) =>
      fields(option, `${prefix}.(${variantName(option)})`).filter((f) => !f.path.endsWith('.type')),
    );
  }
  return [];
}

/** Every field of the run config, variants included, with its description. */
export function configFieldDocs(): FieldDoc[] {
  return fields(unwrap(TrainConfigSchema).core, '');
}

export function undocumentedFields(docs: FieldDoc[]): string[] {
  return docs.filter((f) => !f.description).map((f) => f.path);
}

/** The default config as YAML, each field preceded by its description. */
export function defaultConfigYaml(): string {
  const text = stringify(TrainConfigSchema.parse({}));
  const docs = new Map(configFieldDocs().map((f) => [f.path, f.description]));
  const stack: string[] = [];
  const out = [
    '# flopwise run config: every field at its default (pass changes with -c FILE or --set key.path=value)',
  ];
  for (const line of text.split('\n')) {
    const m = /^( *)([A-Za-z0-9_]+):/.exec(line);
    if (m) {
      const depth = m[1]!.length / 2;
      stack.length = depth;
      stack.push(m[2]!);
      const doc = docs.get(stack.join('.'));
      if (doc) out.push(`${m[1]}# ${doc}`);
    }
    out.push(line);
  }
  out.push(
    '# other allocator types and their fields: `flopwise config --fields` (dynamic, sgpo, vip); other weightings: linear-r, sqrt-r, uniform-r',
  );
  return out.join('\n').trimEnd() + '\n';
}

/** All fields, variants included, one per line: `path  description`. */
export function fieldListing(): string {
  const docs = configFieldDocs();
  const width = Math.max(...docs.map((f) => f.path.length));
  return docs.map((f) => `${f.path.padEnd(width)}  ${f.description ?? ''}`).join('\n') + '\n';
}
