import { matchBraces } from './braces.js';

/**
 * String-level clean-up of one extracted answer before it is parsed. Only notation that cannot
 * change the value is removed (math delimiters, spacing, \left/\right, \displaystyle, colour and
 * font commands, degree marks); grouping braces stay, since the parser reads them.
 */
export function cleanAnswer(input: string): string {
  let s = input.trim();
  s = s.replace(/\\\$/g, ' ').replace(/\$/g, ' ');
  s = s.replace(/\\\(|\\\)|\\\[|\\\]/g, ' ');
  s = s.replace(/\\begin\{(?:align|equation|gather)\*?\}|\\end\{(?:align|equation|gather)\*?\}|&=/g, (m) =>
    m === '&=' ? '=' : ' ',
  );
  s = s.replace(/\\left\s*\\?([([{|.])/g, (_m, b: string) => (b === '.' ? '' : b === '{' ? '\\{' : b));
  s = s.replace(/\\right\s*\\?([)\]}|.])/g, (_m, b: string) => (b === '.' ? '' : b === '}' ? '\\}' : b));
  s = s.replace(/\\(?:left|right|big|Big|bigg|Bigg)[lr]?\b/g, '');
  s = s.replace(/\\langle/g, '(').replace(/\\rangle/g, ')');
  s = s
    .replace(/\\[lr]?vert\b|\\[lr]?Vert\b/g, '|')
    .replace(/\\lbrace\b/g, '\\{')
    .replace(/\\rbrace\b/g, '\\}');
  s = s.replace(/\\(?:displaystyle|textstyle|limits|nolimits)\b/g, ' ');
  s = s.replace(/,\\!\s*/g, ',');
  s = s.replace(/(?<!\\)\\[,;:! ]|\\q?quad\b|~/g, ' ');
  s = s.replace(/\{,\}/g, ',');
  s = s.replace(/\\[dtc]frac/g, '\\frac').replace(/\\[dt]binom/g, '\\binom');
  s = s.replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|\\degree|°/g, '');
  s = s.replace(/\^\s*\{\s*\\prime\s*\}|\\prime/g, "'");
  s = s.replace(/\\%/g, '%').replace(/\s*\b(?:percent|pct)\b\.?/gi, '%');
  s = s.replace(/−|–|—/g, '-').replace(/×|·/g, '*').replace(/÷/g, '/');
  s = s.replace(/≤/g, '\\le ').replace(/≥/g, '\\ge ').replace(/≠/g, '\\ne ').replace(/∞/g, '\\infty ');
  s = s.replace(/[½⅓⅔¼¾]/g, (c) => `{${VULGAR[c]}}`);
  s = s.replace(/π/g, '\\pi ').replace(/√/g, '\\sqrt ').replace(/∪/g, '\\cup ').replace(/±/g, '\\pm ');
  s = unwrapCommands(s, /\\(?:mathbf|boldsymbol|bm|mathit|mathnormal|operatorname)\s*\{/g, (c) =>
    /^[A-Za-z]{2,}$/.test(c.trim()) ? ` ${c.trim()} ` : `{${c}}`,
  );
  // Upright text is a word (a unit, a name) unless it is one letter (\mathrm{e}, \mathrm{d}).
  s = unwrapCommands(s, /\\(?:textnormal|mathrm)\s*\{/g, (c) =>
    c.trim().length > 1 ? `\\text{${c}}` : `{${c}}`,
  );
  s = s.replace(/\\(?:color|textcolor)\s*\{[^{}]*\}/g, '');
  s = s.replace(/^\s*[a-zA-Z]\s*\\in\s+/, '');
  s = s.replace(/\\mathbb\s*\{?R\}?/g, '(-\\infty, \\infty)');
  s = s.replace(/\s+/g, ' ').trim();
  s = s.replace(/^(?:[\s,;:]|\.(?!\d))+|[\s.,;:]+$/g, '');
  return s;
}

const VULGAR: Record<string, string> = { '½': '1/2', '⅓': '1/3', '⅔': '2/3', '¼': '1/4', '¾': '3/4' };

/** Replaces `\cmd{x}` by `wrap(x)` for the commands `re` matches. */
function unwrapCommands(s: string, re: RegExp, wrap: (content: string) => string): string {
  let out = '';
  let pos = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    const g = matchBraces(s, m.index + m[0].length - 1);
    if (!g) break;
    out += s.slice(pos, m.index) + wrap(g.content);
    pos = g.end + 1;
    re.lastIndex = pos;
  }
  return out + s.slice(pos);
}

/** Units and words that may follow a number and are dropped when the rest is a plain value. */
const UNITS = new Set(
  (
    'cm mm km inch inches ft feet foot yd yard yards mi mile miles meter meters metre metres ' +
    'centimeter centimeters kilometer kilometers sq square cubic units unit dollars dollar cents cent ' +
    'degrees degree deg rad radians hours hour hrs hr minutes minute min seconds second sec days day ' +
    'weeks week months month years year kg g grams gram pounds pound lb lbs oz ounces liters liter ml ' +
    'gallons gallon mph kmh km/h m/s people students points ways times euros euro'
  ).split(' '),
);

/**
 * Removes \text{…}/\mbox{…} words and trailing unit words when a value is left: "5 \text{cm}^2" and
 * "125 miles" become "5" and "125", with `units` "cm^2" and "mile" (so that two answers with
 * different units can be told apart). Text with no value left is returned as plain words (a text
 * answer); so are answers with words between values ("12 and 13", "5 when y = 2").
 */
export function stripUnits(s: string): { value: string; units: string } {
  const texts: string[] = [];
  let rest = s.replace(
    /\\(?:text|textbf|textit|textrm|textsf|mbox|hbox)\s*\{([^{}]*)\}/g,
    (_m, t: string) => {
      texts.push(t);
      return ` \uE000${texts.length - 1}\uE000 `;
    },
  );
  const units: string[] = [];
  const words = (x: string) => x.replace(/\uE000(\d+)\uE000/g, (_m, i: string) => texts[Number(i)]);
  const valueLeft = rest
    .replace(/\uE000(\d+)\uE000(\s*\^\s*\{?\d\}?)?/g, (_m, i: string, pow?: string) => {
      units.push(texts[Number(i)] + (pow ?? ''));
      return ' ';
    })
    .replace(/\s+/g, ' ')
    .trim();
  const between = /[\d}][^\uE000]*\uE000\d+\uE000[^\uE000]*[\d\\a-zA-Z]/.test(rest);
  const kept =
    texts.length > 0 && /[0-9\\]/.test(valueLeft) && !/^[,.;:]|[,.;:]$/.test(valueLeft) && !between;
  if (kept) rest = valueLeft;
  else units.length = 0;
  rest = words(rest).replace(/\s+/g, ' ').trim();
  // Trailing unit words after a number: "125 miles", "15 cm^2", "3 square units".
  for (let guard = 0; guard < 4; guard++) {
    const m = /^(.*[0-9}%)])\s*([a-zA-Z/]+)(\s*\^\s*\{?[23]\}?)?\s*$/.exec(rest);
    if (!m || !UNITS.has(m[2].toLowerCase()) || !/\d/.test(m[1])) break;
    units.unshift(m[2] + (m[3] ?? ''));
    rest = m[1].trim();
  }
  return { value: rest, units: normalizeUnits(units.join(' ')) };
}

/** "Square  Feet", "ft^{2}" → "squarefeet", "ft^2"; a plural "s" is dropped ("miles" → "mile"). */
function normalizeUnits(u: string): string {
  return u
    .toLowerCase()
    .replace(/[\s{}]/g, '')
    .replace(/(?<=[a-z]{3})s(?=$|\^)/, '');
}
