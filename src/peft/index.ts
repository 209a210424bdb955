export { type PeftConfig, type PeftOptions, peftConfig } from './config.js';
export { countAdapterParameters, type ModelShapes, type ParameterCount } from './count.js';
export { type ExportTarget, exportAdapter, exportTargets } from './export.js';
export {
  CONFIG_FILE,
  fromAdapterConfigJson,
  KEY_PREFIX,
  SHARED_KEY_PREFIX,
  toAdapterConfigJson,
  WEIGHTS_FILE,
} from './format.js';
export {
  LABELS_FILE,
  labelMapJson,
  readAdapterLabels,
  writeAdapterLabels,
} from './labels.js';
export { AdaptedLinear } from './layer.js';
export { PeftModel, type TrainableSummary } from './model.js';
export {
  adapterConfigJson,
  adapterStateDict,
  type LoadOptions,
  loadAdapterTensors,
  loadPeftAdapter,
  type SaveOptions,
  savePeftAdapter,
} from './save.js';
export { isTarget, layerIndexOf, matchesSuffix, patternValue } from './targets.js';
