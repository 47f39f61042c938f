import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { MIXTURES, parseMixture, type Mixture } from '../tasks/mixture.js';

/** A mixture by name (see MIXTURES: default, arithmetic, smoke) or from a .json / .yaml file. */
export function resolveMixture(nameOrFile: string): Mixture {
  if (Object.prototype.hasOwnProperty.call(MIXTURES, nameOrFile)) return parseMixture(MIXTURES[nameOrFile]);
  if (!existsSync(nameOrFile)) {
    throw new Error(
      `unknown mixture "${nameOrFile}": not a named mixture (${Object.keys(MIXTURES).join(', ')}) nor a file`,
    );
  }
  const text = readFileSync(nameOrFile, 'utf8');
  let raw: unknown;
  try {
    raw = /\.ya?ml$/i.test(nameOrFile) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new Error(`${nameOrFile}: cannot parse mixture: ${(e as Error).message}`);
  }
  try {
    return parseMixture(raw);
  } catch (e) {
    throw new Error(`${nameOrFile}: ${(e as Error).message}`);
  }
}
