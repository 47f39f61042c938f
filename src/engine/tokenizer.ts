// Character-level tokenizer with a fixed vocabulary: special tokens PAD (0), BOS (1), EOS (2), then
// printable ASCII 32..126, then '\n' (99 tokens). The vocabulary is saved in checkpoint configs.

export const PAD = '<pad>';
export const BOS = '<bos>';
export const EOS = '<eos>';

export function defaultVocab(): string[] {
  const v = [PAD, BOS, EOS];
  for (let c = 32; c <= 126; c++) v.push(String.fromCharCode(c));
  v.push('\n');
  return v;
}

export class CharTokenizer {
  readonly vocab: readonly string[];
  readonly padId: number;
  readonly bosId: number;
  readonly eosId: number;
  private readonly index = new Map<string, number>();

  constructor(vocab: readonly string[] = defaultVocab()) {
    const special = [PAD, BOS, EOS];
    for (let i = 0; i < 3; i++) {
      if (vocab[i] !== special[i]) {
        throw new Error(
          `CharTokenizer: vocabulary entry ${i} must be ${special[i]}, got ${JSON.stringify(vocab[i])}`,
        );
      }
    }
    vocab.forEach((tok, i) => {
      if (i >= 3 && [...tok].length !== 1) {
        throw new Error(
          `CharTokenizer: vocabulary entry ${i} (${JSON.stringify(tok)}) is not a single character`,
        );
      }
      if (this.index.has(tok))
        throw new Error(`CharTokenizer: duplicate vocabulary entry ${JSON.stringify(tok)}`);
      this.index.set(tok, i);
    });
    this.vocab = [...vocab];
    this.padId = 0;
    this.bosId = 1;
    this.eosId = 2;
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  /** Encode text; options add BOS before and/or EOS after. Unknown characters throw, naming the character. */
  encode(text: string, opts: { bos?: boolean; eos?: boolean } = {}): number[] {
    const out: number[] = [];
    if (opts.bos) out.push(this.bosId);
    let i = 0;
    for (const ch of text) {
      const id = ch.length === 1 || [...ch].length === 1 ? this.index.get(ch) : undefined;
      if (id === undefined || id < 3) {
        const cp = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
        throw new Error(
          `CharTokenizer.encode: character ${JSON.stringify(ch)} (U+${cp}) at index ${i} is not in the vocabulary`,
        );
      }
      out.push(id);
      i += ch.length;
    }
    if (opts.eos) out.push(this.eosId);
    return out;
  }

  /** Decode ids; special tokens are dropped unless keepSpecial (then written as <pad>, <bos>, <eos>). */
  decode(ids: ArrayLike<number>, opts: { keepSpecial?: boolean } = {}): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const tok = this.vocab[id];
      if (tok === undefined)
        throw new Error(
          `CharTokenizer.decode: token id ${id} is outside the vocabulary (size ${this.vocab.length})`,
        );
      if (id < 3 && !opts.keepSpecial) continue;
      s += tok;
    }
    return s;
  }

  toJSON(): { vocab: string[] } {
    return { vocab: [...this.vocab] };
  }
}
