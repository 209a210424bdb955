export { loadTokenizer } from './load.js';
export { longestFirstLengths } from './truncate.js';
export type {
  BatchEncodeOptions,
  BatchEncoding,
  Encoded,
  EncodeOptions,
  LoadTokenizerOptions,
  TextTokenizer,
  TokenizerModelType,
} from './types.js';
