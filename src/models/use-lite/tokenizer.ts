/**
 * The SentencePiece (unigram) tokenizer of the Universal Sentence Encoder
 * Lite, from its `vocab.json`: an array of [piece, score], the id being the
 * index.
 *
 * It reproduces the tokenizer that ships with the model in TF.js
 * (tfjs-models `universal-sentence-encoder/tokenizer`, also used by
 * `@energetic-ai/embeddings`) exactly, quirks included, because the model was
 * exported with those ids:
 *
 * - NFKC normalisation; a non-empty input gets a leading '▁' and every ASCII
 *   space becomes '▁' (tabs, newlines and other spaces stay as they are).
 * - Symbols are Unicode code points. The first 6 ids (unknown, <s>, </s>,
 *   3 extra ids) are never produced except 0, the unknown id.
 * - Viterbi over all vocabulary pieces that start at each position (trie
 *   prefix search). A position where no piece starts yields a one-symbol
 *   unknown candidate with score 0. Scores add up as doubles; 0 doubles as
 *   "no path yet", so a best score of exactly 0 is replaced by any later
 *   candidate; ties go to the later candidate (the one starting later).
 *   A null score in vocab.json (the shipped file has 7, all pieces with ':')
 *   counts as 0, as `null + x` does in the reference.
 * - Backtracking steps back by the piece's UTF-16 length (the reference uses
 *   `string.length`); no piece in the shipped vocabulary has a character
 *   outside the BMP, so this equals its length in symbols there.
 * - Runs of unknown ids are merged into one.
 * - No truncation: the model keeps the first {@link USE_LITE_MAX_LENGTH} ids.
 */
import { readFileSync } from 'node:fs';

export const SPIECE_UNDERLINE = '\u2581';
/** Pieces below this id are reserved and not matched. */
const RESERVED = 6;
export const UNKNOWN_ID = 0;

export type UseLiteVocab = ReadonlyArray<readonly [string, number]>;

interface TrieNode {
  children: Map<string, TrieNode>;
  /** Vocabulary id when a piece ends here, else -1. */
  id: number;
  score: number;
  /** Length of the piece ending here, in symbols. */
  symbols: number;
}

const newNode = (): TrieNode => ({ children: new Map(), id: -1, score: 0, symbols: 0 });

export class UseLiteTokenizer {
  private readonly root = newNode();
  /** UTF-16 length of each piece (what backtracking steps by). */
  private readonly pieceLength: Int32Array;

  constructor(readonly vocab: UseLiteVocab) {
    this.pieceLength = new Int32Array(vocab.length);
    vocab.forEach(([piece], id) => {
      this.pieceLength[id] = piece.length;
    });
    for (let id = RESERVED; id < vocab.length; id++) {
      const [piece, score] = vocab[id]!;
      const symbols = [...piece];
      if (symbols.length === 0) continue;
      let node = this.root;
      for (const s of symbols) {
        let next = node.children.get(s);
        if (!next) {
          next = newNode();
          node.children.set(s, next);
        }
        node = next;
      }
      // A repeated piece takes the later id and score, as in the reference trie.
      node.id = id;
      node.score = score;
      node.symbols = symbols.length;
    }
  }

  /** Read `vocab.json` (an array of [piece, score]). */
  static fromFile(path: string): UseLiteTokenizer {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new Error(`cannot read USE-Lite vocabulary ${path}: ${(err as Error).message}`);
    }
    if (!Array.isArray(json) || json.length <= RESERVED) {
      throw new Error(
        `${path}: expected a JSON array of [piece, score] pairs (more than ${RESERVED})`,
      );
    }
    json.forEach((entry: unknown, i: number) => {
      if (
        !Array.isArray(entry) ||
        typeof entry[0] !== 'string' ||
        (typeof entry[1] !== 'number' && entry[1] !== null)
      ) {
        throw new Error(`${path}: entry ${i} must be [piece: string, score: number]`);
      }
    });
    // The shipped file has a null score for the pieces with ':' (7 of them);
    // the reference adds it to numbers, where null counts as 0. So do we.
    return new UseLiteTokenizer(
      json.map(([piece, score]: [string, number | null]) => [piece, score ?? 0] as const),
    );
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  /** Token ids of `text` (all of them; the model truncates). */
  encode(text: string): number[] {
    const normalized = text.normalize('NFKC');
    const input =
      normalized.length > 0 ? SPIECE_UNDERLINE + normalized.replace(/ /g, SPIECE_UNDERLINE) : '';
    const symbols = [...input];
    const n = symbols.length;
    // best[e], word[e]: score and id of the best piece ending at symbol e.
    const best = new Float64Array(n + 1);
    const word = new Int32Array(n + 1);
    // The reference visits candidates by end position, then by start position
    // ascending; candidates[e] lists [start, id, score, symbols] in that order.
    const candidates: number[][] = Array.from({ length: n + 1 }, () => []);
    for (let i = 0; i < n; i++) {
      let node = this.root.children.get(symbols[i]!);
      let found = false;
      for (let j = i; j < n && node; j++) {
        if (node.id >= 0) {
          candidates[i + node.symbols]!.push(i, node.id, node.score, node.symbols);
          found = true;
        }
        node = j + 1 < n ? node.children.get(symbols[j + 1]!) : undefined;
      }
      if (!found) candidates[i + 1]!.push(i, UNKNOWN_ID, 0, 1);
    }
    for (let e = 0; e <= n; e++) {
      const c = candidates[e]!;
      // Sort by start: candidates were pushed in order of their start already.
      for (let k = 0; k < c.length; k += 4) {
        const score = c[k + 2]! + best[e - c[k + 3]!]!;
        if (best[e] === 0 || score >= best[e]!) {
          best[e] = score;
          word[e] = c[k + 1]!;
        }
      }
    }
    const reversed: number[] = [];
    // (max 1: an empty unknown piece in a custom vocabulary must not loop forever)
    for (let e = n; e > 0; e -= Math.max(1, this.pieceLength[word[e]!]!)) reversed.push(word[e]!);
    const ids: number[] = [];
    let previousUnknown = false;
    for (const id of reversed) {
      if (!(previousUnknown && id === UNKNOWN_ID)) ids.push(id);
      previousUnknown = id === UNKNOWN_ID;
    }
    return ids.reverse();
  }
}
