/** edora: parameter-efficient fine-tuning of transformers on the CPU. */

export * from './adapters/index.js';
export * from './autograd/index.js';
export {
  activeKernels,
  type BackendName,
  countKernelCalls,
  getBackend,
  nativeKernels,
  nativeLoadError,
  profileKernels,
  setBackend,
  withBackend,
} from './backend/index.js';
export type { KernelInfo, Kernels } from './backend/kernels.js';
export * from './data/index.js';
export {
  canDequantize,
  DEQUANTIZABLE_TYPES,
  dequantize,
  type GgufArray,
  type GgufFile,
  type GgufMetadataValue,
  GgufReader,
  type GgufTensorInfo,
  openGguf,
  type ReadGgufFloatOptions,
  readGguf,
} from './io/gguf/index.js';
export {
  type IntegerTensor,
  loadCheckpointTensors,
  readSafetensors,
  readSafetensorsHeader,
  type SafetensorsContents,
  writeSafetensors,
} from './io/safetensors.js';
export {
  readTfjsModel,
  type TfjsArray,
  type TfjsModel,
  type TfjsModelJson,
  type TfjsWeightGroup,
  type TfjsWeightSpec,
  tfjsTensor,
} from './io/tfjs-weights.js';
export * from './io/tokenizers/index.js';
export { type TruncatedSvd, type TruncatedSvdOptions, truncatedSvd } from './linalg/svd.js';
export {
  BertForSequenceClassification,
  BertModel,
  type EncoderInput,
  robertaPositionIds,
  type SequenceClassifier,
} from './models/bert.js';
export {
  type ModelConfig,
  type ModelType,
  parseModelConfig,
  readModelConfig,
  SIZE_LIMITS,
} from './models/config.js';
export {
  createModel,
  type LoadedModel,
  type LoadModelOptions,
  loadModel,
  type MismatchedTensor,
  type ModelHead,
} from './models/load.js';
export {
  type ModelKind,
  type ResolvedModel,
  type ResolveModelOptions,
  resolveModel,
} from './models/resolve.js';
export { RobertaForSequenceClassification } from './models/roberta.js';
export {
  describeModel,
  type ModelStructure,
  parameterCount,
} from './models/structure.js';
export * from './models/use-lite/index.js';
export * from './nn/index.js';
export * from './peft/index.js';
export * from './tensor/create.js';
export { kaimingUniformBound, Random, type RandomState } from './tensor/random.js';
export { type DType, Tensor, trackAllocations } from './tensor/tensor.js';
export * from './train/index.js';
export {
  type Analysis,
  type AnalyzedRun,
  analyzeRun,
  type CheckpointChange,
  defaultLayers,
  type LayerChange,
  type RunAnalysis,
} from './workflows/analyze.js';
export { writeAnalysis } from './workflows/analyze-output.js';
export {
  BENCH_METHODS,
  type BenchOptions,
  type BenchRow,
  type BenchRunOptions,
  type BenchRunResult,
  benchRun,
  benchTable,
  DEFAULT_LR,
  runBench,
} from './workflows/bench.js';
export {
  classifierTask,
  DEFAULT_MAX_GRAD_NORM,
  type FinetuneData,
  type FinetuneMethod,
  type FinetuneOptions,
  type FinetuneResult,
  finetune,
} from './workflows/finetune.js';
export { type MergeResult, mergeModelDir } from './workflows/merge.js';
export {
  type PredictFileOptions,
  type PredictRecord,
  predictFile,
  predictRecords,
  readPredictRecords,
} from './workflows/predict.js';
export type { RunSpec, StudyBudget, StudySettings } from './workflows/study/plan.js';
export type { CellResult, PairedRow, StudyResults } from './workflows/study/results.js';
export { pairedT, sampleStd, tTwoSidedP } from './workflows/study/statistics.js';
export type { RunRecord } from './workflows/study/store.js';
export {
  benchRunner,
  type RunHooks,
  runStudy,
  type StudyOptions,
  type StudyOutcome,
  type StudyRunner,
} from './workflows/study.js';
export { slope, type WeightChange, weightChange } from './workflows/weight-change.js';
