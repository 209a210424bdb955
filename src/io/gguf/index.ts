/** GGUF in: the header reader, tensor reads and dequantisation to float32. */
export { canDequantize, DEQUANTIZABLE_TYPES, dequantize } from './dequantize.js';
export {
  type GgufArray,
  type GgufFile,
  type GgufMetadataValue,
  type GgufTensorInfo,
  readGguf,
} from './header.js';
export { GgufReader, openGguf, type ReadGgufFloatOptions } from './read.js';
export { type GgmlType, type GgufValueType, ggmlTypeById, ggmlTypeByName } from './types.js';
