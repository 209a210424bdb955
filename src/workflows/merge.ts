/**
 * Merge a saved adapter into a model and write the merged model in the
 * format it was read from: a Hugging Face directory (config.json as it was,
 * model.safetensors with every weight under its checkpoint key, tokenizer
 * files copied), or USE-Lite's TF.js graph model.
 */
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonFile } from '../io/json-file.js';
import { writeDirAtomic } from '../io/output-dir.js';
import { writeSafetensors } from '../io/safetensors.js';
import { readTfjsModel, writeTfjsModel } from '../io/tfjs-weights.js';
import { resolveModel } from '../models/resolve.js';
import { loadUseLite } from '../models/use-lite/load.js';
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
function mergeUseLite(dir: string, adapterDir: string, outDir: string): MergeResult {
  const model = loadUseLite(dir);
  const { peft: pm, ignored } = loadEncoderAdapter(model, adapterDir);
  const adaptedModules = pm.adapters().size;
  pm.mergeAndUnload(); // merges into `model`, however the adapter addressed it
  const tensors = writeUseLiteDir(dir, new Map(model.namedParameters()), outDir);
  return { tensors, adaptedModules, ignored };
}

export function mergeModelDir(modelDir: string, adapterDir: string, outDir: string): MergeResult {
  const source = resolveModel(modelDir);
  if (source.kind === 'use-lite') return mergeUseLite(source.path, adapterDir, outDir);
  const adapted = loadAdaptedClassifier(modelDir, adapterDir);
  const pm = adapted.peft!;
  const adaptedModules = pm.adapters().size;
  const merged = pm.mergeAndUnload();
  // A head the checkpoint did not have is written only when the adapter trained it.
  const fresh = new Set(adapted.fresh);
  const state = new Map<string, Tensor>(
    [...merged.namedParameters()].filter(([k]) => !fresh.has(k)),
  );
  // The merged head is the adapter's: its config.json says the adapter's labels.
  const config = adapted.labels ? configWithLabels(modelDir, adapted.labels) : undefined;
  writeHfModelDir(modelDir, state, outDir, config);
  return { tensors: state.size, adaptedModules, ignored: [] };
}

/** The source's config.json with id2label / label2id (and num_labels, when it has it) set. */
function configWithLabels(modelDir: string, labels: readonly string[]): Record<string, unknown> {
  const json = readJsonFile(join(modelDir, 'config.json')) as Record<string, unknown>;
  Object.assign(json, labelMapJson(labels));
  if ('num_labels' in json) json['num_labels'] = labels.length;
  return json;
}
