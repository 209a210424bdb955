/** safetensors I/O: reader, writer, header validation and checkpoint directories. */
export { loadCheckpointTensors } from './safetensors-checkpoint.js';
export {
  DTYPE_BYTES,
  MAX_HEADER_BYTES,
  readSafetensorsHeader,
  type SafetensorsEntry,
  type SafetensorsHeader,
} from './safetensors-header.js';
export {
  type IntegerTensor,
  type ReadSafetensorsOptions,
  readSafetensors,
  type SafetensorsContents,
} from './safetensors-read.js';
export { writeSafetensors } from './safetensors-write.js';
