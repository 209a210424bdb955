/**
 * `grain`: Reuters-21578 "grain" vs the rest (ModApte split), from the ARFF
 * files in Debian's `weka` package (ReutersGrain-train.arff, -test.arff).
 *
 * The package is not an npm dependency, so its files are looked up in
 * EDORA_WEKA_DIR, else in ~/.cache/edora/weka; `npm run fetch:grain`
 * (scripts/fetch-grain.sh: apt-get download weka, dpkg-deb -x) puts them
 * there. Train → train/validation (90/10 per class, fixed seed); the ModApte
 * test file → test; near-duplicates removed across splits.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Random } from '../../tensor/random.js';
import { readArff } from '../arff.js';
import { removeNearDuplicates } from '../near-duplicates.js';
import type { Example } from '../types.js';
import { type BuiltTask, classCounts, SPLIT_SEED } from './common.js';

export const GRAIN_LABELS = ['other', 'grain'];
const EXAMPLES = join('usr', 'share', 'doc', 'weka', 'examples');

/** Where the weka ARFF files are expected (EDORA_WEKA_DIR, else the user cache). */
export function grainDir(): string {
  const env = process.env['EDORA_WEKA_DIR'];
  if (env) return env;
  return join(homedir(), '.cache', 'edora', 'weka', EXAMPLES);
}

export function buildGrain(): BuiltTask {
  const dir = grainDir();
  const trainFile = join(dir, 'ReutersGrain-train.arff');
  const testFile = join(dir, 'ReutersGrain-test.arff');
  if (!existsSync(trainFile) || !existsSync(testFile)) {
    throw new Error(
      `grain: ${trainFile} not found; run \`npm run fetch:grain\` (Debian's weka package) or set EDORA_WEKA_DIR`,
    );
  }
  const fields = { text: 'Text', label: 'class-att' };
  // The nominal label {0,1} keeps its declared order: 1 = grain.
  const all = readArff(trainFile, fields).examples.map(clean);
  const test = readArff(testFile, fields).examples.map(clean);
  const train: Example[] = [];
  const validation: Example[] = [];
  for (const label of [0, 1]) {
    const list = all.filter((e) => e.label === label);
    const order = new Random(SPLIT_SEED).permutation(list.length);
    const nValidation = Math.round(list.length * 0.1);
    for (const [k, i] of order.entries()) (k < nValidation ? validation : train).push(list[i]!);
  }
  const { kept } = removeNearDuplicates([train, validation, test], (e) => e.text);
  const [tr, va, te] = kept as [Example[], Example[], Example[]];
  const sizes = [tr, va, te]
    .map((s) => {
      const [other, grain] = classCounts(s, 2);
      return `${s.length} (${other} other / ${grain} grain)`;
    })
    .join(', ');
  return {
    name: 'grain',
    labels: [...GRAIN_LABELS],
    metric: 'f1',
    train: tr,
    validation: va,
    test: te,
    description: `Reuters-21578 grain vs other (ModApte, weka's ReutersGrain ARFF); train split 90/10 per class into train/validation, test = ModApte test; near-duplicates (5-gram Jaccard >= 0.8) removed across splits; train/validation/test ${sizes}`,
  };
}

/** Newswire text: join the hard line breaks. */
function clean(e: Example): Example {
  return { ...e, text: e.text.replace(/\s+/g, ' ').trim() };
}
