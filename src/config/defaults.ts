/**
 * Every default of a training run, each with the line that explains it. The
 * library (train, finetune, the bench and the study) falls back on these
 * values, and the CLI makes its flags' defaults and help text from them, so
 * the two cannot drift apart. The per-method tables (learning rates and
 * clipping) belong to the methods themselves and are not repeated here.
 */

/** A default value and one line saying what the setting does (the CLI's help text). */
export interface Default<T> {
  readonly value: T;
  readonly help: string;
}

/** `edora train`, finetune() and train(): one run on one task. */
const train = {
  model: { value: 'use-lite', help: "'use-lite' or a Hugging Face BERT/RoBERTa directory" },
  method: { value: 'edora', help: 'the adapter method' },
  r: { value: 8, help: 'rank' },
  alpha: { value: 16, help: 'lora_alpha (scaling alpha/r)' },
  epochs: { value: 3, help: 'epochs' },
  batchSize: { value: 16, help: 'examples per batch' },
  gradientAccumulation: { value: 1, help: 'batches per optimizer step' },
  lr: { value: 5e-3, help: 'adapter learning rate' },
  weightDecay: {
    value: 0.01,
    help: 'AdamW weight decay (not on biases, norms, magnitudes)',
  },
  warmupRatio: { value: 0.06, help: 'linear warmup over this fraction of the steps' },
  // finetune() replaces it with the method's own default (DEFAULT_MAX_GRAD_NORM).
  maxGradNorm: { value: 1, help: 'clip the global gradient norm (0 = off)' },
  seed: { value: 42, help: 'seed of the head, the adapter and the batch order' },
  evalBatchSize: { value: 32, help: 'examples per batch when evaluating' },
} as const satisfies Record<string, Default<unknown>>;

/**
 * `edora bench` and `edora study`: many short runs of USE-Lite on the
 * built-in tasks, sized to finish within about ten minutes on a 2-core
 * machine. What is not here (rank, batch size, seed) is the run's default.
 */
const bench = {
  methods: { value: ['edora', 'dora', 'lora', 'probe'], help: 'comma-separated methods' },
  maxTrain: { value: 600, help: 'training examples per task (deterministic subsample)' },
  maxEval: { value: 300, help: 'validation and test examples per task' },
  epochs: { value: 2, help: 'epochs of each run' },
  probeEpochs: { value: 20, help: 'epochs of the linear probe (on cached embeddings)' },
  headLr: {
    value: 5e-2,
    help: 'classifier head learning rate of the adapter methods and full',
  },
} as const satisfies Record<string, Default<unknown>>;

export const DEFAULTS = { train, bench } as const;
