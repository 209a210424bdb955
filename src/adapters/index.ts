export {
  foldR,
  LORA_A,
  LORA_B,
  LORA_R,
  LOW_RANK_SHAPES,
  LowRankAdapter,
  MAGNITUDE,
} from './base.js';
export { copyNamedTensors } from './load-tensors.js';
export {
  adapterConfig,
  getMethod,
  METHOD_NAMES,
  methodList,
  methods,
  methodTable,
  methodValue,
  registerMethod,
} from './registry.js';
export { factoredRowNorm, naiveRowNorm, normCache } from './row-norm.js';
export {
  type Adapter,
  type AdapterConfig,
  type AdapterMethod,
  DEFAULT_CONFIG,
  type Dim,
  dimsOf,
  type ExportSpec,
  type LayerShape,
  type MethodHookInfo,
  type MethodName,
  NORM_EPS,
  type PeftNames,
  scalingOf,
  type TensorSpec,
  trainableCount,
} from './types.js';
