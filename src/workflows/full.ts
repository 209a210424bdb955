/**
 * Full fine-tuning (`method: 'full'`, the paper's FT row): every weight of
 * the model trains — embeddings, attention, feed-forward, layer norms — and
 * the head, with no adapter.
 *
 * It is expressed as a PeftModel whose modulesToSave are all of the model's
 * top-level modules (PEFT's own way to train a whole module: a trainable
 * copy of each of its tensors). The training loop, its best-epoch copy and
 * its resumable checkpoints then hold every weight without a second code
 * path. The output is not an adapter: saveFullModel writes the fine-tuned
 * model in the model's own format, as `edora merge` does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkOutputDir } from '../io/output-dir.js';
import { writeSafetensors } from '../io/safetensors.js';
import { resolveModel } from '../models/resolve.js';
import { UseLiteClassifier } from '../models/use-lite/classifier.js';
import type { Module } from '../nn/module.js';
import { PeftModel } from '../peft/model.js';
import { writeHfModelDir, writeUseLiteDir } from './merge.js';

/** `module` wrapped so that every one of its parameters trains (see above). */
export function fullFinetuneModel<M extends Module>(module: M): PeftModel<M> {
  const withParameters = [...module.namedChildren()]
    .filter(([, child]) => child.parameters().length > 0)
    .map(([name]) => name);
  // method and r are placeholders: no layer is adapted (targetModules is empty).
  const peft = PeftModel.create(module, {
    method: 'lora',
    r: 1,
    targetModules: [],
    modulesToSave: withParameters,
  });
  // A parameter held by the root module itself would be left frozen.
  const all = module.namedParameters().length;
  const trainable = peft.trainableParameters().length;
  if (trainable !== all)
    throw new Error(
      `full fine-tuning: ${all - trainable} of the model's ${all} tensors are outside its submodules`,
    );
  return peft;
}

/** The head of a fine-tuned USE-Lite, beside its TF.js graph (which has no place for it). */
export const USE_LITE_HEAD_FILE = 'classifier.safetensors';

/**
 * Write the model `peft` fine-tuned (its tensors as they are now: the best
 * evaluation's after training) into `outDir`, in the model's own format:
 *
 * - a Hugging Face model (`modelArg` its directory): config.json with the
 *   task's labels (id2label, label2id, problem_type), model.safetensors with
 *   every weight, head included, and the tokenizer files, as `edora merge`
 *   writes them;
 * - USE-Lite: its TF.js graph model as `edora merge` writes it, plus the head
 *   in classifier.safetensors (`classifier.weight`, `classifier.bias`; the
 *   label names in its metadata).
 *
 * `labels` are the task's label names (null for regression). The directory
 * appears whole or not at all, and must not exist or be empty. This PeftModel
 * is spent (its copies are written into the model, as mergeAndUnload does).
 */
export function saveFullModel(
  peft: PeftModel,
  modelArg: string,
  labels: string[] | null,
  outDir: string,
): void {
  checkOutputDir(outDir); // before the PeftModel is spent
  const model = peft.mergeAndUnload();
  if (model instanceof UseLiteClassifier) {
    const head = new Map(
      [...model.classifier.namedParameters()].map(([k, t]) => [`classifier.${k}`, t]),
    );
    const metadata: Record<string, string> = { format: 'pt' };
    if (labels) metadata['labels'] = JSON.stringify(labels);
    const sourceDir = resolveModel(modelArg, { expect: 'use-lite' }).path;
    writeUseLiteDir(sourceDir, new Map(model.use_lite.namedParameters()), outDir, (tmp) =>
      writeSafetensors(join(tmp, USE_LITE_HEAD_FILE), head, metadata),
    );
    return;
  }
  writeHfModelDir(modelArg, new Map(model.namedParameters()), outDir, withLabels(modelArg, labels));
}

/** The source's config.json with the task's labels (transformers' PretrainedConfig fields). */
function withLabels(modelDir: string, labels: string[] | null): Record<string, unknown> {
  const path = join(modelDir, 'config.json');
  const config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const names = labels ?? ['LABEL_0'];
  delete config['num_labels']; // id2label says how many
  config['id2label'] = Object.fromEntries(names.map((l, i) => [String(i), l]));
  config['label2id'] = Object.fromEntries(names.map((l, i) => [l, i]));
  config['problem_type'] = labels ? 'single_label_classification' : 'regression';
  return config;
}
