/**
 * A Hugging Face sequence classifier with a saved adapter applied, labelled
 * with the adapter's own label map (label_map.json, written by `edora
 * train`): the head the adapter trained may have another number of labels
 * than the checkpoint's, so the model is built for the adapter's labels and
 * the checkpoint's head is then replaced by the adapter's. Used by
 * `predict` and `merge`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensorsHeader } from '../io/safetensors.js';
import type { SequenceClassifier } from '../models/bert.js';
import type { ModelConfig } from '../models/config.js';
import { loadModel } from '../models/load.js';
import { KEY_PREFIX, WEIGHTS_FILE } from '../peft/format.js';
import { LABELS_FILE, readAdapterLabels } from '../peft/labels.js';
import type { PeftModel } from '../peft/model.js';
import { loadPeftAdapter } from '../peft/save.js';
import { formatShape } from '../tensor/tensor.js';

export interface AdaptedClassifier {
  model: SequenceClassifier;
  /** The checkpoint's config, with the adapter's labels when it has a label map. */
  config: ModelConfig;
  /** Null without an adapter. */
  peft: PeftModel<SequenceClassifier> | null;
  /** The adapter's label map, or null (the checkpoint's labels hold). */
  labels: string[] | null;
  /** Parameters that neither the checkpoint nor the adapter gave a value (random). */
  fresh: string[];
}

export function loadAdaptedClassifier(modelDir: string, adapterDir?: string): AdaptedClassifier {
  const labels = adapterDir === undefined ? null : readAdapterLabels(adapterDir);
  if (adapterDir !== undefined && labels) checkHeadFits(adapterDir, labels);
  const { model, config, newlyInitialized } = loadModel(
    modelDir,
    labels ? { labels, ignoreMismatchedSizes: true } : {},
  );
  const peft = adapterDir === undefined ? null : loadPeftAdapter(model, adapterDir);
  const saved = peft ? [...peft.savedModules().keys()] : [];
  const fresh = newlyInitialized.filter(
    (p) => !saved.some((s) => p === s || p.startsWith(`${s}.`)),
  );
  return { model, config, peft, labels, fresh };
}

/**
 * Before a head is built for the label map: the adapter must bring a head
 * with an output of that size (a vector of the head, e.g. its bias, has one
 * entry per label), so a damaged label map cannot size a huge head.
 */
function checkHeadFits(adapterDir: string, labels: readonly string[]): void {
  const weights = join(adapterDir, WEIGHTS_FILE);
  if (!existsSync(weights)) return; // loadPeftAdapter names what is missing
  const head = readSafetensorsHeader(weights).entries.filter((e) =>
    e.name.startsWith(`${KEY_PREFIX}classifier.`),
  );
  const where = `--adapter ${adapterDir}: its ${LABELS_FILE} lists ${labels.length} labels`;
  if (head.length === 0)
    throw new Error(`${where}, but it brings no classifier head (modules_to_save)`);
  const sizes = head.filter((e) => e.shape.length === 1).map((e) => e.shape[0]!);
  if (!sizes.includes(labels.length))
    throw new Error(
      `${where}, but its classifier head has ${sizes.join(' or ')} outputs (${head.map((e) => `${e.name.slice(KEY_PREFIX.length)} ${formatShape(e.shape)}`).join(', ')})`,
    );
}
