/**
 * The parameters and linear layers a BERT/RoBERTa config implies, from the
 * config alone: to check a config.json against a checkpoint before a single
 * tensor is allocated (loadModel), and to count parameters without building
 * the model (`edora params`). test/models/structure.test.ts holds it equal to
 * what createModel builds.
 */
import type { ModelConfig } from './config.js';
import type { ModelHead } from './load.js';

/** The config.json fields that set the size of a dimension. */
export type SizeField =
  | 'vocab_size'
  | 'hidden_size'
  | 'intermediate_size'
  | 'max_position_embeddings'
  | 'type_vocab_size'
  | 'num_labels';

export interface ParameterShape {
  path: string;
  shape: number[];
  /** The field each dimension comes from, for error messages. */
  dims: SizeField[];
}

export interface LinearShape {
  path: string;
  inFeatures: number;
  outFeatures: number;
}

export interface ModelStructure {
  parameters: ParameterShape[];
  linears: LinearShape[];
}

export function describeModel(config: ModelConfig, head: ModelHead): ModelStructure {
  const size: Record<SizeField, number> = {
    vocab_size: config.vocabSize,
    hidden_size: config.hiddenSize,
    intermediate_size: config.intermediateSize,
    max_position_embeddings: config.maxPositionEmbeddings,
    type_vocab_size: config.typeVocabSize,
    num_labels: config.numLabels,
  };
  const parameters: ParameterShape[] = [];
  const linears: LinearShape[] = [];
  const param = (path: string, ...dims: SizeField[]): void => {
    parameters.push({ path, shape: dims.map((d) => size[d]), dims });
  };
  const linear = (path: string, inField: SizeField, outField: SizeField): void => {
    linears.push({ path, inFeatures: size[inField], outFeatures: size[outField] });
    param(`${path}.weight`, outField, inField);
    param(`${path}.bias`, outField);
  };
  const layerNorm = (path: string): void => {
    param(`${path}.weight`, 'hidden_size');
    param(`${path}.bias`, 'hidden_size');
  };

  // bert.ts: BertModel, under `bert.` / `roberta.` in a classification model.
  const base = head === 'encoder' ? '' : `${config.modelType}.`;
  param(`${base}embeddings.word_embeddings.weight`, 'vocab_size', 'hidden_size');
  param(`${base}embeddings.position_embeddings.weight`, 'max_position_embeddings', 'hidden_size');
  param(`${base}embeddings.token_type_embeddings.weight`, 'type_vocab_size', 'hidden_size');
  layerNorm(`${base}embeddings.LayerNorm`);
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const l = `${base}encoder.layer.${i}`;
    for (const name of ['query', 'key', 'value'])
      linear(`${l}.attention.self.${name}`, 'hidden_size', 'hidden_size');
    linear(`${l}.attention.output.dense`, 'hidden_size', 'hidden_size');
    layerNorm(`${l}.attention.output.LayerNorm`);
    linear(`${l}.intermediate.dense`, 'hidden_size', 'intermediate_size');
    linear(`${l}.output.dense`, 'intermediate_size', 'hidden_size');
    layerNorm(`${l}.output.LayerNorm`);
  }
  // The bare encoder keeps BERT's pooler; RoBERTa's classifier has none.
  if (head === 'encoder' || config.modelType === 'bert')
    linear(`${base}pooler.dense`, 'hidden_size', 'hidden_size');
  if (head === 'sequence-classification') {
    if (config.modelType === 'roberta') {
      linear('classifier.dense', 'hidden_size', 'hidden_size');
      linear('classifier.out_proj', 'hidden_size', 'num_labels');
    } else {
      linear('classifier', 'hidden_size', 'num_labels');
    }
  }
  return { parameters, linears };
}

/** The number of parameters in a structure. */
export function parameterCount(structure: ModelStructure): number {
  return structure.parameters.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
}
