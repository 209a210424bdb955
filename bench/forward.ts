/**
 * npm run bench:forward — USE-Lite forward throughput (sentences per second)
 * on 128-token inputs, no gradients, per backend (native skipped when the
 * addon is unavailable).
 *
 * Inputs are real text tokenised by the model and cut to exactly 128 tokens,
 * so every position is valid (the worst case for attention).
 * Prints a human table, then one JSON line:
 *   {"bench":"forward","model":"use-lite","seq":128,"batch":32,"cases":[{"backend":"native","sentencesPerSec":…},…]}
 * Flags: --batch N (default 32)  --reps N (median of N timed runs, default 5
 * after one warm-up; js: 3 without warm-up, about 30 s each at batch 32)
 * --backends native,js
 */
import { parseArgs } from 'node:util';
import {
  type BackendName,
  nativeKernels,
  nativeLoadError,
  noGrad,
  withBackend,
} from '../src/index.js';
import {
  loadUseLite,
  USE_LITE_MAX_LENGTH,
  type UseLiteBatch,
} from '../src/models/use-lite/index.js';

const { values } = parseArgs({
  options: { batch: { type: 'string' }, reps: { type: 'string' }, backends: { type: 'string' } },
});
const batch = Number(values.batch ?? 32);
const seq = USE_LITE_MAX_LENGTH;
if (!Number.isInteger(batch) || batch < 1) {
  console.error(`bench:forward: --batch must be a positive integer, got '${values.batch}'`);
  process.exit(2);
}
const requested = (values.backends ?? 'native,js').split(',') as BackendName[];
const backends = requested.filter((b) => {
  if (b === 'native' && !nativeKernels()) {
    console.error(`bench:forward: skipping native (${nativeLoadError()})`);
    return false;
  }
  return true;
});

const model = loadUseLite();
// A long passage, tokenised once; row b starts b tokens in, so rows differ.
const passage =
  'Sentence encoders map text of any length to a fixed vector. The Universal Sentence Encoder Lite uses a small ' +
  'transformer with a sentencepiece vocabulary, and its embeddings are compared by cosine similarity. ';
const ids = model.tokenizer.encode(passage.repeat(Math.ceil((batch + seq) / 30)));
const input: UseLiteBatch = {
  ids: new Int32Array(batch * seq),
  mask: new Uint8Array(batch * seq).fill(1),
  batch,
  length: seq,
};
for (let b = 0; b < batch; b++) input.ids.set(ids.slice(b, b + seq), b * seq);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const cases: { backend: BackendName; sentencesPerSec: number; msPerBatch: number }[] = [];
for (const backend of backends) {
  const reps = Number(values.reps ?? (backend === 'js' ? 3 : 5));
  const times = withBackend(backend, () =>
    noGrad(() => {
      if (backend !== 'js') model.forward(input); // warm-up (a js run is long enough to warm itself)
      const t: number[] = [];
      for (let r = 0; r < reps; r++) {
        const t0 = performance.now();
        model.forward(input);
        t.push(performance.now() - t0);
      }
      return t;
    }),
  );
  const ms = median(times);
  cases.push({
    backend,
    sentencesPerSec: Math.round((batch / (ms / 1000)) * 10) / 10,
    msPerBatch: Math.round(ms),
  });
}

console.log(`USE-Lite forward, ${batch} × ${seq} tokens (median)`);
console.log('backend   sentences/s   ms/batch');
for (const c of cases)
  console.log(
    `${c.backend.padEnd(9)} ${String(c.sentencesPerSec).padStart(11)}   ${String(c.msPerBatch).padStart(8)}`,
  );
console.log(
  JSON.stringify({
    bench: 'forward',
    model: 'use-lite',
    seq,
    batch,
    cases: cases.map(({ backend, sentencesPerSec }) => ({ backend, sentencesPerSec })),
  }),
);
