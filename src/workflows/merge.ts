/**
 * Merge a saved adapter into a model and write the merged model in the
 * format it was read from: a Hugging Face directory (config.json as it was,
 * model.safetensors with every weight under its checkpoint key, tokenizer
 * files copied), or USE-Lite's TF.js graph model.
 */
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { writeDirAtomic } from '../io/output-dir.js';
import { writeSafetensors } from '../io/safetensors.js';
import { readTfjsModel, writeTfjsModel } from '../io/tfjs-weights.js';
import { defaultUseLiteDir, loadUseLite } from '../models/use-lite/load.js';
import { useLiteGraphWeights } from '../models/use-lite/weights.js';
import { labelMapJson } from '../peft/labels.js';
import type { Tensor } from '../tensor/tensor.js';
import { loadAdaptedClassifier } from './adapted-model.js';
import { loadEncoderAdapter } from './encoder-adapter.js';

const COPIED_FILES = [
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'vocab.txt',
  'vocab.json',
  'merges.txt',
];

export interface MergeResult {
  tensors: number;
  adaptedModules: number;
  /** The adapter's modules_to_save entries the merged model has no place for (a head). */
  ignored: string[];
}

/** Is `model` the USE-Lite TF.js graph ('use-lite', or a directory with model.json and no config.json)? */
function isUseLite(model: string): boolean {
  return (
    model === 'use-lite' ||
    (existsSync(join(model, 'model.json')) && !existsSync(join(model, 'config.json')))
  );
}

/**
 * Merge into USE-Lite and write a TF.js graph model directory again:
 * model.json (same topology), one weight shard, vocab.json.
 */
function mergeUseLite(modelArg: string, adapterDir: string, outDir: string): MergeResult {
  const dir = modelArg === 'use-lite' ? defaultUseLiteDir() : modelArg;
  const model = loadUseLite(dir);
  const { peft: pm, ignored } = loadEncoderAdapter(model, adapterDir);
  const adaptedModules = pm.adapters().size;
  pm.mergeAndUnload(); // merges into `model`, however the adapter addressed it
  const tfjs = readTfjsModel(join(dir, 'model.json'));
  const weights = useLiteGraphWeights(new Map(model.namedParameters()), tfjs);
  writeDirAtomic(outDir, (tmp) => {
    writeTfjsModel(tmp, tfjs.json, weights);
    copyFileSync(join(dir, 'vocab.json'), join(tmp, 'vocab.json'));
  });
  return { tensors: weights.size, adaptedModules, ignored };
}

export function mergeModelDir(modelDir: string, adapterDir: string, outDir: string): MergeResult {
  if (isUseLite(modelDir)) return mergeUseLite(modelDir, adapterDir, outDir);
  const adapted = loadAdaptedClassifier(modelDir, adapterDir);
  const pm = adapted.peft!;
  const adaptedModules = pm.adapters().size;
  const merged = pm.mergeAndUnload();
  // A head the checkpoint did not have is written only when the adapter trained it.
  const fresh = new Set(adapted.fresh);
  const state = new Map<string, Tensor>(
    [...merged.namedParameters()].filter(([k]) => !fresh.has(k)),
  );
  writeDirAtomic(outDir, (tmp) => {
    writeSafetensors(join(tmp, 'model.safetensors'), state, { format: 'pt' });
    for (const f of COPIED_FILES)
      if (existsSync(join(modelDir, f))) copyFileSync(join(modelDir, f), join(tmp, f));
    // The merged head is the adapter's: its config.json says the adapter's labels.
    if (adapted.labels) writeLabels(join(tmp, 'config.json'), adapted.labels);
  });
  return { tensors: state.size, adaptedModules, ignored: [] };
}

/** Set id2label / label2id (and num_labels, when the file has it) in a copied config.json. */
function writeLabels(configPath: string, labels: readonly string[]): void {
  const json = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  Object.assign(json, labelMapJson(labels));
  if ('num_labels' in json) json['num_labels'] = labels.length;
  writeFileAtomic(configPath, `${JSON.stringify(json, null, 2)}\n`);
}
