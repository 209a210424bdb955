/**
 * The float tensors of a Hugging Face checkpoint directory: `model.safetensors`,
 * or the shards listed in `model.safetensors.index.json` (its `weight_map`
 * maps each tensor name to a shard file in the same directory).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tensor } from '../tensor/tensor.js';
import { jsonErrorText } from './json-file.js';
import { readSafetensorsHeader } from './safetensors-header.js';
import { readSafetensors } from './safetensors-read.js';

export function loadCheckpointTensors(dir: string): Map<string, Tensor> {
  const single = join(dir, 'model.safetensors');
  if (existsSync(single)) return readSafetensors(single).tensors;
  const indexPath = join(dir, 'model.safetensors.index.json');
  if (!existsSync(indexPath)) {
    const bin = existsSync(join(dir, 'pytorch_model.bin'))
      ? ' (pytorch_model.bin is not supported: convert it to safetensors)'
      : '';
    throw new Error(`${dir}: no model.safetensors or model.safetensors.index.json${bin}`);
  }
  const weightMap = readWeightMap(indexPath);
  // shard file → the tensor names the index assigns to it
  const shards = new Map<string, Set<string>>();
  for (const [name, shard] of Object.entries(weightMap)) {
    const set = shards.get(shard) ?? new Set<string>();
    shards.set(shard, set);
    set.add(name);
  }
  const out = new Map<string, Tensor>();
  const foundIn = new Map<string, string>();
  for (const [shard, names] of shards) {
    const path = join(dir, shard);
    if (!existsSync(path)) throw new Error(`${indexPath}: shard '${shard}' is missing from ${dir}`);
    const header = readSafetensorsHeader(path);
    for (const e of header.entries) {
      const other = foundIn.get(e.name);
      if (other !== undefined)
        throw new Error(`${dir}: tensor '${e.name}' appears in both ${other} and ${shard}`);
      foundIn.set(e.name, shard);
    }
    const { tensors, integers } = readSafetensors(path, { filter: (n) => names.has(n) });
    for (const name of names) {
      const t = tensors.get(name);
      if (t) out.set(name, t);
      else if (!integers.has(name)) {
        throw new Error(
          `${indexPath}: tensor '${name}' is listed in shard '${shard}' but that file does not hold it`,
        );
      }
    }
  }
  return out;
}

function readWeightMap(indexPath: string): Record<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(indexPath, 'utf8'));
  } catch (err) {
    throw new Error(`${indexPath}: not valid JSON (${jsonErrorText(err)})`);
  }
  const map = (json as { weight_map?: unknown } | null)?.weight_map;
  if (map === null || typeof map !== 'object' || Array.isArray(map)) {
    throw new Error(
      `${indexPath}: weight_map must be an object mapping tensor names to shard files`,
    );
  }
  for (const [name, shard] of Object.entries(map as Record<string, unknown>)) {
    // Shards live beside the index: a bare file name, never a path.
    if (
      typeof shard !== 'string' ||
      shard === '' ||
      /[/\\]/.test(shard) ||
      shard === '.' ||
      shard === '..'
    ) {
      throw new Error(
        `${indexPath}: weight_map entry '${name}' must name a shard file in the same directory, got ${JSON.stringify(shard)}`,
      );
    }
  }
  return map as Record<string, string>;
}
