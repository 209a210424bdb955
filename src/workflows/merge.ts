/**
 * Merge a saved adapter into a model and write the merged model in the
 * format it was read from: a Hugging Face directory (config.json as it was,
 * model.safetensors with every weight under its checkpoint key, tokenizer
 * files copied), or USE-Lite's TF.js graph model.
 */
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeDirAtomic } from '../io/output-dir.js';
import { writeSafetensors } from '../io/safetensors.js';
import { readTfjsModel, writeTfjsModel } from '../io/tfjs-weights.js';
import { loadModel } from '../models/load.js';
import { defaultUseLiteDir, loadUseLite } from '../models/use-lite/load.js';
import { useLiteGraphWeights } from '../models/use-lite/weights.js';
import { loadPeftAdapter } from '../peft/save.js';
import type { Tensor } from '../tensor/tensor.js';

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
}

/** Is `model` the USE-Lite TF.js graph ('use-lite', or a directory with model.json and no config.json)? */
export function isUseLite(model: string): boolean {
  return (
    model === 'use-lite' ||
    (existsSync(join(model, 'model.json')) && !existsSync(join(model, 'config.json')))
  );
}

/**
 * USE-Lite's TF.js graph model directory written again with `params` (our
 * parameter paths, e.g. `encoder.layer.0.ffn.conv1.weight`) as its weights:
 * model.json (the source's topology), one weight shard, vocab.json, and
 * whatever `extra` adds. Returns the number of graph weights.
 */
export function writeUseLiteDir(
  sourceDir: string,
  params: ReadonlyMap<string, Tensor>,
  outDir: string,
  extra?: (tmpDir: string) => void,
): number {
  const tfjs = readTfjsModel(join(sourceDir, 'model.json'));
  const weights = useLiteGraphWeights(params, tfjs);
  writeDirAtomic(outDir, (tmp) => {
    writeTfjsModel(tmp, tfjs.json, weights);
    copyFileSync(join(sourceDir, 'vocab.json'), join(tmp, 'vocab.json'));
    extra?.(tmp);
  });
  return weights.size;
}

/**
 * A Hugging Face model directory: model.safetensors holding `state` under
 * its checkpoint keys, config.json (`config` when given, else the source's as
 * it was) and the tokenizer files of `sourceDir`.
 */
export function writeHfModelDir(
  sourceDir: string,
  state: ReadonlyMap<string, Tensor>,
  outDir: string,
  config?: Record<string, unknown>,
): void {
  writeDirAtomic(outDir, (tmp) => {
    writeSafetensors(join(tmp, 'model.safetensors'), state, { format: 'pt' });
    for (const f of COPIED_FILES)
      if (existsSync(join(sourceDir, f))) copyFileSync(join(sourceDir, f), join(tmp, f));
    if (config) writeFileSync(join(tmp, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  });
}

/** Merge into USE-Lite and write a TF.js graph model directory again. */
function mergeUseLite(modelArg: string, adapterDir: string, outDir: string): MergeResult {
  const dir = modelArg === 'use-lite' ? defaultUseLiteDir() : modelArg;
  const model = loadUseLite(dir);
  const pm = loadPeftAdapter(model, adapterDir);
  const adaptedModules = pm.adapters().size;
  const merged = pm.mergeAndUnload();
  const tensors = writeUseLiteDir(dir, new Map(merged.namedParameters()), outDir);
  return { tensors, adaptedModules };
}

export function mergeModelDir(modelDir: string, adapterDir: string, outDir: string): MergeResult {
  if (isUseLite(modelDir)) return mergeUseLite(modelDir, adapterDir, outDir);
  const { model, newlyInitialized } = loadModel(modelDir);
  const pm = loadPeftAdapter(model, adapterDir);
  const adaptedModules = pm.adapters().size;
  const saved = new Set([...pm.savedModules().keys()]);
  const merged = pm.mergeAndUnload();
  // A head the checkpoint did not have is written only when the adapter trained it.
  const fresh = new Set(
    newlyInitialized.filter((p) => ![...saved].some((s) => p === s || p.startsWith(`${s}.`))),
  );
  const state = new Map<string, Tensor>(
    [...merged.namedParameters()].filter(([k]) => !fresh.has(k)),
  );
  writeHfModelDir(modelDir, state, outDir);
  return { tensors: state.size, adaptedModules };
}
