/**
 * Fine-tune a text classifier with one method on one task: build the model
 * (USE-Lite with a linear head, or a Hugging Face BERT/RoBERTa classifier),
 * apply the adapter, train, and evaluate on the test split.
 *
 * 'probe' is the frozen-encoder linear probe: only the head trains, on
 * embeddings computed once. 'full' trains every weight of the model and the
 * head (see full.ts).
 */
import { methodList, methodTable, methodValue } from '../adapters/registry.js';
import type { MethodName } from '../adapters/types.js';
import { noGrad } from '../autograd/tape.js';
import type { Example, TaskData } from '../data/types.js';
import { loadTokenizer } from '../io/tokenizers/index.js';
import { loadModel } from '../models/load.js';
import { resolveModel } from '../models/resolve.js';
import { UseLiteClassifier } from '../models/use-lite/classifier.js';
import { loadUseLite } from '../models/use-lite/load.js';
import { Linear } from '../nn/linear.js';
import { SEQ_CLS_HEADS } from '../peft/format.js';
import { PeftModel } from '../peft/model.js';
import { tensor } from '../tensor/create.js';
import { Random } from '../tensor/random.js';
import { formatShape } from '../tensor/tensor.js';
import {
  type ClassifierTask,
  evaluate,
  type TrainOptions,
  type TrainResult,
  train,
} from '../train/loop.js';
import { fullFinetuneModel } from './full.js';

/**
 * What finetune trains: an adapter method, 'probe' (the head alone, on a
 * frozen encoder) or 'full' (every weight of the model and the head).
 */
export type FinetuneMethod = MethodName | 'probe' | 'full';
/** Every method finetune, `edora train` and `edora bench` accept. */
export const FINETUNE_METHODS: readonly FinetuneMethod[] = methodList(['probe', 'full']);

/** `name` as a method, or an error naming `where` (a flag, a file) and the methods there are. */
export function finetuneMethod(where: string, name: string): FinetuneMethod {
  if (!FINETUNE_METHODS.includes(name as FinetuneMethod))
    throw new Error(`${where}: unknown method '${name}' (expected ${FINETUNE_METHODS.join(', ')})`);
  return name as FinetuneMethod;
}

/** What finetune reads of a task: all of TaskData but its description. */
export type FinetuneData = Omit<TaskData, 'description'>;

export interface FinetuneOptions extends Omit<TrainOptions, 'metric'> {
  /** 'use-lite', a TF.js USE-Lite directory or a Hugging Face model directory (resolveModel). */
  model: string;
  method: FinetuneMethod;
  r: number;
  alpha: number;
  /** Target modules; default: every linear layer of the encoder ('all-linear'). */
  targetModules?: string[] | string;
  dropout?: number;
  /** σ of R's N(0, σ²) initialisation (EDoRA, LoRA-XS); default DEFAULT_CONFIG.rInitStd. */
  rInitStd?: number;
  /** The method's own settings by their PEFT names (AdapterMethod.options); checked when the adapter is made. */
  methodOptions?: Readonly<Record<string, unknown>>;
  maxLength?: number;
  /** One-line notices worth telling the user (e.g. a checkpoint's head replaced by a fresh one). */
  onNotice?: (line: string) => void;
}

export interface FinetuneResult {
  method: FinetuneMethod;
  task: string;
  trainable: number;
  train: TrainResult;
  validation: Record<string, number>;
  test: Record<string, number>;
  peft: PeftModel;
}

/**
 * The classifier task for a model argument, with a head of `numLabels`
 * outputs: USE-Lite's is fresh; a checkpoint's is kept when it has that many
 * labels, and otherwise replaced by a fresh one (told through `onNotice`).
 */
export function classifierTask(
  modelArg: string,
  numLabels: number,
  seed: number,
  maxLength?: number,
  onNotice?: (line: string) => void,
): ClassifierTask {
  const source = resolveModel(modelArg);
  if (source.kind === 'use-lite') {
    const module = new UseLiteClassifier(loadUseLite(source.path), numLabels, new Random(seed));
    return {
      module,
      numLabels,
      logits: (ex) => module.logits(ex),
      lastTokenCount: () => module.lastTokens,
    };
  }
  const labels = Array.from({ length: numLabels }, (_, i) => `LABEL_${i}`);
  // A fine-tuned checkpoint re-targeted to other labels: as transformers' ignore_mismatched_sizes.
  const { model, mismatched } = loadModel(source.path, {
    labels,
    seed,
    ignoreMismatchedSizes: true,
  });
  if (mismatched.length > 0) {
    const { path, checkpoint, model: want } = mismatched[0]!;
    onNotice?.(
      `${modelArg}: the checkpoint's head does not fit ${numLabels} labels (${path} ${formatShape(checkpoint)}, needs ${formatShape(want)}): training a fresh head`,
    );
  }
  const tokenizer = loadTokenizer(source.path);
  let lastTokens = 0;
  return {
    module: model,
    numLabels,
    logits: (ex) => {
      const pairs = ex.some((e) => e.textPair !== undefined)
        ? ex.map((e) => e.textPair ?? '')
        : undefined;
      const batch = tokenizer.encodeBatch(
        ex.map((e) => e.text),
        pairs,
        maxLength ? { maxLength } : {},
      );
      lastTokens = batch.attentionMask.reduce((a, b) => a + b, 0);
      return model.forward(batch);
    },
    lastTokenCount: () => lastTokens,
  };
}

/** Frozen-encoder probe: logits from cached embeddings of USE-Lite, head only. */
function probeTask(
  useLiteDir: string,
  numLabels: number,
  seed: number,
  texts: readonly Example[],
): ClassifierTask {
  const module = new UseLiteClassifier(loadUseLite(useLiteDir), numLabels, new Random(seed));
  const key = (e: Example): string =>
    e.textPair === undefined ? e.text : `${e.text} ${e.textPair}`;
  const unique = [...new Set(texts.map(key))];
  const cache = new Map<string, Float32Array>();
  const emb = module.use_lite.embedNoGrad(unique, 32);
  const d = module.use_lite.outputDim;
  unique.forEach((t, i) => {
    cache.set(t, emb.subarray(i * d, (i + 1) * d));
  });
  return {
    module,
    numLabels,
    logits: (ex) => {
      const x = new Float32Array(ex.length * d);
      ex.forEach((e, i) => {
        x.set(cache.get(key(e))!, i * d);
      });
      return module.classifier.forward(tensor(x, [ex.length, d]));
    },
  };
}

/**
 * Gradient clipping per method (0 = off). One global norm over the adapter
 * and the head, as Hugging Face's Trainer clips, couples the two: EDoRA's and
 * LoRA-XS's gradient of R is Bᵀ·G·Aᵀ with A = Σ_r·V_rᵀ, so it carries W's
 * singular values, dominates the norm, and clipping it to 1 shrinks the
 * head's step with it. With the adapter frozen, the head alone reached 73.7%
 * on spam under the clip and 89.7% without (docs/results.md). LoRA-XS has
 * the same structure; without the clip its validation average rose from
 * 63.8 to 64.6.
 */
export const DEFAULT_MAX_GRAD_NORM = methodTable((m) => m.defaultMaxGradNorm, {
  probe: 1,
  full: 1,
});

/** What the loop gets for a finetune run: the method's own clipping unless one is given. */
export function trainOptionsFor(options: FinetuneOptions, metric: string): TrainOptions {
  return {
    ...options,
    maxGradNorm:
      options.maxGradNorm ??
      methodValue(DEFAULT_MAX_GRAD_NORM, options.method, 'DEFAULT_MAX_GRAD_NORM'),
    // Full fine-tuning saves the whole model; only the head takes headLr.
    headModules: options.method === 'full' ? SEQ_CLS_HEADS : options.headModules,
    metric,
  };
}

/** `--target` matched nothing: say so, with the names that would match. */
function noTargetMessage(peft: PeftModel, targets: string[] | string | undefined): string {
  const heads = [...peft.savedModules().keys()];
  const names = new Set<string>();
  for (const [path, m] of peft.model.namedModules()) {
    const inHead = heads.some((h) => path === h || path.startsWith(`${h}.`));
    if (m instanceof Linear && path !== '' && !inHead)
      names.add(path.slice(path.lastIndexOf('.') + 1));
  }
  const given = Array.isArray(targets) ? targets.join(',') : String(targets);
  return `--target: no linear layer of the model matches '${given}' (its linear layers are named ${[...names].join(', ')}; or use 'all-linear')`;
}

export async function finetune(
  data: FinetuneData,
  options: FinetuneOptions,
): Promise<FinetuneResult> {
  const numLabels = data.labels ? data.labels.length : 1;
  if (data.labels) {
    // One class would train a regression on a constant (a NaN correlation), silently.
    const seen = new Set(data.train.map((e) => e.label));
    if (seen.size === 1) {
      const label = data.labels[[...seen][0]!] ?? String([...seen][0]);
      throw new Error(
        `${data.name}: all ${data.train.length} training examples have label '${label}'; a classifier needs at least two classes`,
      );
    }
  }
  let task: ClassifierTask;
  let peft: PeftModel;
  if (options.method === 'probe') {
    const source = resolveModel(options.model);
    if (source.kind !== 'use-lite')
      throw new Error("the 'probe' method is available for --model use-lite");
    task = probeTask(source.path, numLabels, options.seed, [
      ...data.train,
      ...data.validation,
      ...data.test,
    ]);
    peft = PeftModel.create(task.module, {
      method: 'lora',
      r: 1,
      targetModules: [],
      modulesToSave: ['classifier'],
    });
  } else if (options.method === 'full') {
    task = classifierTask(options.model, numLabels, options.seed, options.maxLength);
    peft = fullFinetuneModel(task.module);
  } else {
    task = classifierTask(
      options.model,
      numLabels,
      options.seed,
      options.maxLength,
      options.onNotice,
    );
    peft = PeftModel.create(task.module, {
      method: options.method,
      r: options.r,
      alpha: options.alpha,
      dropout: options.dropout ?? 0,
      targetModules: options.targetModules ?? 'all-linear',
      modulesToSave: ['classifier'],
      seed: options.seed,
      ...(options.rInitStd === undefined ? {} : { rInitStd: options.rInitStd }),
      options: options.methodOptions ?? {},
    });
    // PEFT accepts no adapted layer when a head trains; here that would be a
    // linear probe trained under another method's name.
    if (peft.adapters().size === 0) throw new Error(noTargetMessage(peft, options.targetModules));
  }
  // Saved with every adapter the run writes (label_map.json), for predict, eval and merge.
  if (data.labels) peft.labels.set(peft.activeAdapter!, [...data.labels]);
  const trainable = peft.trainableParameters().reduce((s, [, t]) => s + t.size, 0);
  const result = await train(
    task,
    peft,
    { train: data.train, validation: data.validation },
    trainOptionsFor(options, data.metric),
  );
  // Stopped early (Ctrl-C): the run continues later, its evaluation with it.
  if (result.interrupted)
    return {
      method: options.method,
      task: data.name,
      trainable,
      train: result,
      validation: {},
      test: {},
      peft,
    };
  // The model now holds the best evaluation's tensors: its validation metrics are in the history.
  const bestRecord = result.history.find(
    (h) => h.step === result.best?.step && h.epoch === result.best?.epoch,
  );
  const validation =
    bestRecord?.metrics ?? evaluate(task, data.validation, options.evalBatchSize).metrics;
  const test = noGrad(() => evaluate(task, data.test, options.evalBatchSize).metrics);
  return {
    method: options.method,
    task: data.name,
    trainable,
    train: result,
    validation,
    test,
    peft,
  };
}
