/** Training primitives: AdamW, the learning-rate schedule, clipping, metrics, checkpoints. */
export {
  ADAPTER_DIR,
  loadCheckpoint,
  OPTIMIZER_FILE,
  STATE_FILE,
  saveCheckpoint,
  type TrainState,
} from './checkpoint.js';
export { clipGradNorm, clipGradNormPerGroup, gradNorm } from './clip.js';
export { decayGroups, defaultNoDecay } from './decay.js';
export {
  type ClassifierTask,
  type EpochRecord,
  epochOrder,
  evaluate,
  type LabelledText,
  type TrainOptions,
  type TrainProgress,
  type TrainResult,
  train,
} from './loop.js';
export {
  accuracy,
  argmaxRows,
  averageRanks,
  computeMetrics,
  f1,
  matthews,
  pearson,
  spearman,
} from './metrics.js';
export { AdamW, type AdamWOptions, type OptimizerState, type ParamGroup } from './optimizer.js';
export { linearWarmupDecay, warmupSteps } from './schedule.js';
