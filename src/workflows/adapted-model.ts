/**
 * A Hugging Face sequence classifier with a saved adapter applied, labelled
 * with the adapter's own label map (label_map.json, written by `edora
 * train`): the head the adapter trained may have another number of labels
 * than the checkpoint's, so the model is built for the adapter's labels and
 * the checkpoint's head is then replaced by the adapter's. Used by
 * `predict` and `merge`.
 */
import type { SequenceClassifier } from '../models/bert.js';
import type { ModelConfig } from '../models/config.js';
import { loadModel } from '../models/load.js';
import { LABELS_FILE, readAdapterLabels } from '../peft/labels.js';
import type { PeftModel } from '../peft/model.js';
import { loadPeftAdapter } from '../peft/save.js';

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
  const { model, config, newlyInitialized } = loadModel(
    modelDir,
    labels ? { labels, ignoreMismatchedSizes: true } : {},
  );
  const peft = adapterDir === undefined ? null : loadPeftAdapter(model, adapterDir);
  const saved = peft ? [...peft.savedModules().keys()] : [];
  const fresh = newlyInitialized.filter(
    (p) => !saved.some((s) => p === s || p.startsWith(`${s}.`)),
  );
  if (labels && fresh.some((p) => p.startsWith('classifier.'))) {
    throw new Error(
      `--adapter ${adapterDir}: its ${LABELS_FILE} lists ${labels.length} labels, but it brings no classifier head (modules_to_save) and the checkpoint's head does not fit them`,
    );
  }
  return { model, config, peft, labels, fresh };
}
