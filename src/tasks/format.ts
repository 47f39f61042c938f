/**
 * THE prompt format of the procedural tasks (the one place it is defined).
 *
 * The learner is a small character-level model (printable ASCII + '\n', 48-token context, no chain
 * of thought), so every prompt is short (≤ 32 characters), ends with the answer delimiter `=`, and
 * the completion is the bare answer (≤ 12 characters, no spaces) followed by the terminator '\n':
 *
 *   family     prompt                      completion (formatTarget)
 *   add        "123+45="                   "168\n"
 *   mul        "12*34="                    "408\n"
 *   mod        "17*5 mod 7="               "1\n"        (result in 0..m−1)
 *   rev        "rev abcd="                 "dcba\n"
 *   sort       "sort dbca="                "abcd\n"     (ascending by character code)
 *   count      "count a abacab="           "3\n"        (occurrences of the letter)
 *   copy       "copy xyz="                 "xyz\n"
 *   countdown  "make 24 from 2 3 4 8="     "2*3*4\n"    (any expression over the numbers, each
 *                                                        used at most once, with + - * ( ), that
 *                                                        equals the target is correct)
 *
 * Extraction of the answer from a completion (what the model generated after the prompt, before the
 * engine's stop token, possibly with junk after it if it never stopped):
 *   1. cut at the first terminator '\n' (if any);
 *   2. trim spaces; if nothing is left → `no_answer`;
 *   3. keep the first space-separated token (junk after a space is ignored);
 *   4. the family checks the token's shape (e.g. digits only) → `malformed` if it does not fit,
 *      then compares it with the reference → `correct` | `wrong`.
 * So "168\nxyz", "168 xyz" and "168" score correct for "123+45="; "168xyz" is malformed.
 */

/** Every prompt ends with this character; the answer follows it. */
export const ANSWER_DELIMITER = '=';
/** The completion ends with this character (the engine may also stop on its EOS token). */
export const TERMINATOR = '\n';
/** Limits every family respects at every difficulty its schema allows. */
export const MAX_PROMPT_CHARS = 32;
export const MAX_ANSWER_CHARS = 12;

/** Builds a prompt: body followed by the answer delimiter. */
export function makePrompt(body: string): string {
  return body + ANSWER_DELIMITER;
}

/** The exact completion text a supervised warm start teaches for this answer. */
export function formatTarget(problem: { answer: string }): string {
  return problem.answer + TERMINATOR;
}

/** Extracts the answer token from a completion (see the rules above); undefined = no answer. */
export function extractCompletionAnswer(completion: string): string | undefined {
  const cut = completion.indexOf(TERMINATOR);
  const line = (cut >= 0 ? completion.slice(0, cut) : completion).trim();
  if (line.length === 0) return undefined;
  const token = line.split(/\s+/)[0];
  return token.length > 0 ? token : undefined;
}

/** True when every character is printable ASCII (32..126) or '\n'. */
export function isPrintableAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 10 && (c < 32 || c > 126)) return false;
  }
  return true;
}
