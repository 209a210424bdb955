/**
 * loadModel: a BERT or RoBERTa model from a Hugging Face model directory
 * (config.json + model.safetensors, or shards with model.safetensors.index.json).
 *
 * Checkpoint keys are mapped only through the variants transformers itself
 * accepts for these models: a base-model checkpoint without the `bert.` /
 * `roberta.` prefix (BertModel.save_pretrained), and the old `LayerNorm.gamma`
 * / `LayerNorm.beta` names. A classification head (and BERT's pooler) that
 * the checkpoint lacks is initialised as transformers does and reported in
 * `newlyInitialized`; tensors the model has no place for (pre-training heads
 * such as `cls.*` or `lm_head.*`) are reported in `ignored`.
 */
import { join } from 'node:path';
import { loadCheckpointTensors } from '../io/safetensors.js';
import type { Module } from '../nn/module.js';
import { Random } from '../tensor/random.js';
import { formatShape, type Tensor } from '../tensor/tensor.js';
import {
  BertForSequenceClassification,
  BertModel,
  initWeights,
  type SequenceClassifier,
} from './bert.js';
import { type ModelConfig, readModelConfig } from './config.js';
import { RobertaForSequenceClassification } from './roberta.js';
import { describeModel } from './structure.js';

export type ModelHead = 'sequence-classification' | 'encoder';

export interface LoadModelOptions {
  /** Default 'sequence-classification'. */
  head?: ModelHead;
  /** Replace the config's labels (e.g. a base checkpoint fine-tuned on a new task). */
  labels?: string[];
  /** Seed of the model's Random: dropout masks and newly initialised weights. Default 0. */
  seed?: number;
  /**
   * Initialise afresh a head tensor whose checkpoint shape differs (a
   * fine-tuned checkpoint re-targeted to other labels) and report it in
   * `mismatched`, as transformers' `ignore_mismatched_sizes`. Only the head:
   * a body tensor of another shape is still an error (another model).
   */
  ignoreMismatchedSizes?: boolean;
}

/** A checkpoint tensor left out for its shape (see ignoreMismatchedSizes). */
export interface MismatchedTensor {
  path: string;
  checkpoint: number[];
  model: number[];
}

export interface LoadedModel<M> {
  model: M;
  config: ModelConfig;
  /** Parameters the checkpoint did not hold, initialised N(0, initializer_range) / zeros. */
  newlyInitialized: string[];
  /** Checkpoint tensors the model has no place for. */
  ignored: string[];
  /** Head tensors initialised afresh because their shape differs (also in newlyInitialized). */
  mismatched: MismatchedTensor[];
}

export function createModel(
  config: ModelConfig,
  head: ModelHead,
  rng: Random,
): SequenceClassifier | BertModel {
  if (head === 'encoder') return new BertModel(config, { rng });
  return config.modelType === 'roberta'
    ? new RobertaForSequenceClassification(config, { rng })
    : new BertForSequenceClassification(config, { rng });
}

export function loadModel(
  dir: string,
  options?: LoadModelOptions & { head?: 'sequence-classification' },
): LoadedModel<SequenceClassifier>;
export function loadModel(
  dir: string,
  options: LoadModelOptions & { head: 'encoder' },
): LoadedModel<BertModel>;
export function loadModel(
  dir: string,
  options: LoadModelOptions = {},
): LoadedModel<SequenceClassifier | BertModel> {
  let config = readModelConfig(dir);
  if (options.labels) config = withLabels(config, options.labels);
  const head = options.head ?? 'sequence-classification';
  const checkpoint = loadCheckpointTensors(dir);
  checkSizesAgainstCheckpoint(config, head, checkpoint, dir);
  const rng = new Random(options.seed ?? 0);
  const model = createModel(config, head, rng);
  const { newlyInitialized, ignored, mismatched } = adoptCheckpoint(
    model,
    config,
    head,
    checkpoint,
    dir,
    options.ignoreMismatchedSizes ?? false,
  );
  if (newlyInitialized.length > 0) initWeights(model, config, rng, new Set(newlyInitialized));
  model.eval();
  return { model, config, newlyInitialized, ignored, mismatched };
}

function withLabels(config: ModelConfig, labels: string[]): ModelConfig {
  if (labels.length < 1) throw new Error('loadModel: labels must name at least one label');
  return {
    ...config,
    numLabels: labels.length,
    id2label: [...labels],
    label2id: Object.fromEntries(labels.map((l, i) => [l, i])),
  };
}

/** The model path a checkpoint key maps to, or null for a key the model has no place for. */
export function mapCheckpointKey(
  key: string,
  prefix: string,
  head: ModelHead,
  checkpointHasPrefix: boolean,
): string | null {
  let k = key
    .replace(/(^|\.)LayerNorm\.gamma$/, '$1LayerNorm.weight')
    .replace(/(^|\.)LayerNorm\.beta$/, '$1LayerNorm.bias');
  if (/(^|\.)embeddings\.(position_ids|token_type_ids)$/.test(k)) return null; // buffers, not weights
  const p = `${prefix}.`;
  if (head === 'encoder') {
    if (k.startsWith(p)) return k.slice(p.length);
    return checkpointHasPrefix ? null : k;
  }
  if (!checkpointHasPrefix && /^(embeddings|encoder|pooler)\./.test(k)) k = p + k;
  return k;
}

/** Only the head and the pooler (which transformers also re-initialises) may be missing. */
function mayBeNew(path: string): boolean {
  return path.startsWith('classifier.') || /^((bert|roberta)\.)?pooler\./.test(path);
}

function missingTensorsError(dir: string, missing: string[]): Error {
  return new Error(
    `${dir}: missing tensor${missing.length > 1 ? 's' : ''} ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? `, … (${missing.length} in all)` : ''}`,
  );
}

/**
 * The config's sizes against the checkpoint's tensors, before the model is
 * built: a config.json asking for more than the checkpoint holds (1000
 * layers, a hidden size of 65536) fails here with one line, instead of after
 * allocating that model, or not at all. The head and the pooler are left to
 * adoptCheckpoint, which may initialise them anew.
 */
function checkSizesAgainstCheckpoint(
  config: ModelConfig,
  head: ModelHead,
  checkpoint: Map<string, Tensor>,
  dir: string,
): void {
  const prefix = config.modelType;
  const hasPrefix = [...checkpoint.keys()].some((k) => k.startsWith(`${prefix}.`));
  const found = new Map<string, { key: string; shape: readonly number[] }>();
  for (const [key, t] of checkpoint) {
    const path = mapCheckpointKey(key, prefix, head, hasPrefix);
    if (path !== null && !found.has(path)) found.set(path, { key, shape: t.shape });
  }
  const missing: string[] = [];
  for (const p of describeModel(config, head).parameters) {
    if (mayBeNew(p.path)) continue;
    const src = found.get(p.path);
    if (src === undefined) {
      missing.push(p.path);
      continue;
    }
    if (src.shape.join() === p.shape.join()) continue;
    const fields = p.dims
      .map((field, i) => ({ field, i }))
      .filter(({ i }) => src.shape.length !== p.shape.length || src.shape[i] !== p.shape[i])
      .map(({ field, i }) => `${field} ${p.shape[i]}`);
    const alias = src.key === p.path ? '' : ` (checkpoint key '${src.key}')`;
    throw new Error(
      `${dir}: tensor '${p.path}'${alias} has shape ${formatShape(src.shape)}, the model expects ${formatShape(p.shape)} (config.json: ${[...new Set(fields)].join(', ')})`,
    );
  }
  if (missing.length === 0) return;
  const layerOf = (path: string): number => {
    const m = /(?:^|\.)encoder\.layer\.(\d+)\./.exec(path);
    return m ? Number(m[1]) : -1;
  };
  const held = Math.max(0, ...[...found.keys()].map((p) => layerOf(p) + 1));
  const beyond = missing.find((p) => layerOf(p) >= held);
  if (beyond !== undefined) {
    throw new Error(
      `${join(dir, 'config.json')}: num_hidden_layers is ${config.numHiddenLayers} but the checkpoint holds ${held} layer${held === 1 ? '' : 's'} (no tensor '${beyond}')`,
    );
  }
  throw missingTensorsError(dir, missing);
}

function adoptCheckpoint(
  model: Module,
  config: ModelConfig,
  head: ModelHead,
  checkpoint: Map<string, Tensor>,
  dir: string,
  ignoreMismatchedSizes: boolean,
): { newlyInitialized: string[]; ignored: string[]; mismatched: MismatchedTensor[] } {
  const prefix = config.modelType;
  const hasPrefix = [...checkpoint.keys()].some((k) => k.startsWith(`${prefix}.`));
  const own = new Map(model.namedParameters());
  const mapped = new Map<string, { tensor: Tensor; from: string }>();
  const ignored: string[] = [];
  for (const [key, t] of checkpoint) {
    const path = mapCheckpointKey(key, prefix, head, hasPrefix);
    if (path === null || !own.has(path)) {
      ignored.push(key);
      continue;
    }
    const prev = mapped.get(path);
    if (prev)
      throw new Error(
        `${dir}: checkpoint tensors '${prev.from}' and '${key}' both map to '${path}'`,
      );
    mapped.set(path, { tensor: t, from: key });
  }
  // Only the head and the pooler (which transformers also re-initialises) may be missing.
  const mayBeNew = (p: string): boolean =>
    p.startsWith('classifier.') || /^((bert|roberta)\.)?pooler\./.test(p);
  const newlyInitialized: string[] = [];
  const mismatched: MismatchedTensor[] = [];
  for (const [path, target] of own) {
    const src = mapped.get(path);
    if (!src) {
      newlyInitialized.push(path);
      continue;
    }
    if (src.tensor.shape.join() !== target.shape.join()) {
      if (ignoreMismatchedSizes && path.startsWith('classifier.')) {
        mismatched.push({ path, checkpoint: [...src.tensor.shape], model: [...target.shape] });
        newlyInitialized.push(path);
        mapped.delete(path);
        continue;
      }
      const alias = src.from === path ? '' : ` (checkpoint key '${src.from}')`;
      throw new Error(
        `${dir}: tensor '${path}'${alias} has shape ${formatShape(src.tensor.shape)}, the model expects ${formatShape(target.shape)}`,
      );
    }
  }
  const missing = newlyInitialized.filter((p) => !mayBeNew(p));
  if (missing.length > 0) throw missingTensorsError(dir, missing);
  // Adopt the loaded buffers instead of copying them: a checkpoint is never held twice.
  for (const [path, { tensor }] of mapped) {
    const dot = path.lastIndexOf('.');
    const m = model.getSubmodule(path.slice(0, dot));
    tensor.requiresGrad = true;
    tensor.name = path;
    m.setParam(path.slice(dot + 1), tensor);
  }
  return { newlyInitialized, ignored, mismatched };
}
