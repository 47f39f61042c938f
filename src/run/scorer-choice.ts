/**
 * Which scorer a dataset row gets, decided once when the file is loaded (never later from a name):
 *  - data.scorer 'verifier' (the default): the math verifier, whatever data_source says, so a
 *    dataset whose data_source happens to be a procedural family name ("add", "mul") is not
 *    silently scored by that family;
 *  - data.scorer 'family': every row's data_source must name a procedural family, whose scorer it
 *    gets; a row that names none is an error naming the file and the row;
 *  - a data_source written with the reserved prefix "family:<name>" asks for that family's scorer
 *    under either setting (an unknown name is an error naming the row).
 * Procedural mixtures are not dataset rows: they keep their family scorer.
 */
import { familyNames, hasFamily, type Problem } from '../tasks/index.js';

export type ScorerKind = 'verifier' | 'family';

/** Reserved data_source prefix that picks a procedural family's scorer: "family:add". */
export const FAMILY_PREFIX = 'family:';

/** The rows with meta.scorer set (and meta.family stripped of the prefix); throws on a mismatch. */
export function assignScorers(problems: Problem[], file: string, mode: ScorerKind): Problem[] {
  return problems.map((p, i) => {
    const source = p.meta.family;
    const prefixed = source.startsWith(FAMILY_PREFIX);
    const family = prefixed ? source.slice(FAMILY_PREFIX.length) : source;
    if (!prefixed && mode === 'verifier') return { ...p, meta: { ...p.meta, scorer: 'verifier' } };
    if (!hasFamily(family)) {
      const why = prefixed
        ? `"${source}" names no procedural family`
        : `data.scorer is 'family' but "${source}" names no procedural family`;
      throw new Error(
        `${file}: problem ${i + 1} (id "${p.id}"), field "data_source": ${why} (known: ${familyNames().join(', ')})`,
      );
    }
    return { ...p, meta: { ...p.meta, family, scorer: 'family' } };
  });
}

/** True when `problem` is scored by its procedural family rather than the math verifier. */
export function usesFamilyScorer(problem: Problem): boolean {
  const chosen = problem.meta.scorer;
  if (chosen === 'verifier') return false;
  if (chosen === 'family') return true;
  return hasFamily(problem.meta.family);
}
