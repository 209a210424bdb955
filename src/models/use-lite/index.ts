export { type TextExample, USE_LITE_PREFIX, UseLiteClassifier } from './classifier.js';
export * from './config.js';
export { UseLiteAttention, UseLiteFfn, UseLiteLayer } from './layer.js';
export { defaultUseLiteDir, loadUseLite, USE_LITE_PACKAGE } from './load.js';
export { type UseLiteBatch, UseLiteEncoder, UseLiteModel } from './model.js';
export { TimingSignal } from './timing.js';
export { UseLiteTokenizer, type UseLiteVocab } from './tokenizer.js';
export {
  USE_LITE_WEIGHT_MAP,
  type UseLiteWeightMapping,
  useLiteGraphWeights,
  useLiteStateDict,
} from './weights.js';
