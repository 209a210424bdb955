/**
 * The adapters edora writes for the Hugging Face PEFT interop fixtures
 * (test/fixtures/peft/). One place for both the fixture maker and the test,
 * so the test can check that today's code still writes exactly the files
 * that real PEFT was shown to load.
 */
import { join } from 'node:path';
import {
  exportAdapter,
  loadModel,
  PeftModel,
  type PeftOptions,
  savePeftAdapter,
} from '../../src/index.js';
import { perturbTrainable } from '../helpers/perturb.js';

export const FIXTURES = join(process.cwd(), 'test/fixtures/peft');
export type InteropBase = 'tiny-bert' | 'tiny-roberta';
/**
 * The checkpoint an adapter directory sits on: roberta-* on tiny-roberta
 * (RobertaForSequenceClassification, 2 labels), the others on tiny-bert
 * (BertForSequenceClassification, hidden 32, 2 layers, 3 labels).
 */
export const baseOf = (name: string): InteropBase =>
  name.startsWith('roberta-') ? 'tiny-roberta' : 'tiny-bert';
export const baseDir = (base: InteropBase): string =>
  join(process.cwd(), 'test/fixtures/models', base);

const PAPER_TARGETS = ['query', 'value', 'attention.output.dense', 'output.dense'];

export interface EdoraWrittenSpec {
  /** Directory under test/fixtures/peft/. */
  name: string;
  options: PeftOptions;
  /** Seed and scale of the perturbation that moves every trainable tensor off its initial value. */
  perturbSeed: number;
  perturbScale: number;
  /** Also written through `exportAdapter` into `<name>-as-<to>`. */
  exportTo?: 'peft-dora' | 'peft-lora';
}

export const EDORA_WRITTEN: EdoraWrittenSpec[] = [
  {
    name: 'edora-lora',
    options: {
      method: 'lora',
      r: 4,
      alpha: 8,
      useRslora: true,
      targetModules: PAPER_TARGETS,
      rankPattern: { value: 2 },
      alphaPattern: { query: 16 },
      modulesToSave: ['classifier'],
      seed: 11,
    },
    perturbSeed: 1,
    perturbScale: 0.2,
  },
  {
    name: 'edora-dora',
    options: {
      method: 'dora',
      r: 4,
      alpha: 16,
      targetModules: 'all-linear',
      excludeModules: ['pooler.dense'],
      seed: 12,
    },
    perturbSeed: 2,
    perturbScale: 0.2,
  },
  {
    name: 'edora-edora',
    options: {
      method: 'edora',
      r: 4,
      alpha: 8,
      targetModules: PAPER_TARGETS,
      modulesToSave: ['classifier'],
      seed: 13,
    },
    perturbSeed: 3,
    perturbScale: 0.5,
    exportTo: 'peft-dora',
  },
  {
    name: 'edora-lora-xs',
    options: {
      method: 'lora-xs',
      r: 4,
      alpha: 8,
      targetModules: ['query', 'value'],
      layersToTransform: [0],
      seed: 14,
    },
    perturbSeed: 4,
    perturbScale: 0.5,
    exportTo: 'peft-lora',
  },
  {
    // The paper's setting: EDoRA on RoBERTa with the two-layer classifier head trained whole.
    name: 'roberta-edora',
    options: {
      method: 'edora',
      r: 4,
      alpha: 16,
      targetModules: PAPER_TARGETS,
      modulesToSave: ['classifier'],
      seed: 16,
    },
    perturbSeed: 6,
    perturbScale: 0.5,
    exportTo: 'peft-dora',
  },
  {
    // PEFT rebuilds the residual W − s·B₀A₀ on load, as edora does.
    name: 'edora-pissa',
    options: {
      method: 'lora',
      r: 4,
      alpha: 8,
      initLoraWeights: 'pissa',
      targetModules: ['query', 'key', 'value'],
      seed: 15,
    },
    perturbSeed: 5,
    perturbScale: 0.05,
  },
];

export const exportedName = (spec: EdoraWrittenSpec): string =>
  `${spec.name}-as-${spec.exportTo!.slice('peft-'.length)}`;

/** Build the adapter of `spec` on the base model and write it (and its export) under `root`. */
export function writeEdoraAdapter(spec: EdoraWrittenSpec, root: string): void {
  const { model } = loadModel(baseDir(baseOf(spec.name)));
  const pm = PeftModel.create(model, spec.options);
  perturbTrainable(pm, spec.perturbSeed, spec.perturbScale);
  const dir = join(root, spec.name);
  // PEFT's SEQ_CLS task type always carries the classifier; the others are saved without a task type.
  const taskType = spec.options.modulesToSave?.includes('classifier') ? 'SEQ_CLS' : null;
  savePeftAdapter(pm, dir, { baseModel: baseOf(spec.name), taskType });
  if (spec.exportTo) exportAdapter(dir, spec.exportTo, join(root, exportedName(spec)));
}
