/** Content of the brace group opening at `open` (text[open] === '{'); undefined when unbalanced. */
export function matchBraces(text: string, open: number): { content: string; end: number } | undefined {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && (text[i + 1] === '{' || text[i + 1] === '}')) {
      i++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return { content: text.slice(open + 1, i), end: i };
    }
  }
  return undefined;
}
