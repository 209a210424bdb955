/**
 * Merge a saved adapter into a Hugging Face model directory and write the
 * merged model as a model directory again: config.json as it was,
 * model.safetensors with every weight under its checkpoint key, and the
 * tokenizer files copied.
 */
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeDirAtomic } from '../io/output-dir.js';
import { writeSafetensors } from '../io/safetensors.js';
import { loadModel } from '../models/load.js';
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

export function mergeModelDir(modelDir: string, adapterDir: string, outDir: string): MergeResult {
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
  writeDirAtomic(outDir, (tmp) => {
    writeSafetensors(join(tmp, 'model.safetensors'), state, { format: 'pt' });
    for (const f of COPIED_FILES)
      if (existsSync(join(modelDir, f))) copyFileSync(join(modelDir, f), join(tmp, f));
  });
  return { tensors: state.size, adaptedModules };
}
