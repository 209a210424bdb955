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
export { optionsFor, parseOptionPairs, resolveOptions } from './options.js';
export {
  adapterConfig,
  findMethod,
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
  type MethodOption,
  NORM_EPS,
  type OptionValue,
  type PeftNames,
  scalingOf,
  type TensorSpec,
  trainableCount,
} from './types.js';
