export { LowRankAdapter } from './base.js';
export { adapterConfig, getMethod } from './registry.js';
export { factoredRowNorm, naiveRowNorm, normCache } from './row-norm.js';
export {
  type Adapter,
  type AdapterConfig,
  type AdapterMethod,
  DEFAULT_CONFIG,
  METHOD_NAMES,
  type MethodName,
  NORM_EPS,
  scalingOf,
} from './types.js';
