/**
 * TF.js graph-model weights: `model.json` (topology + weightsManifest) and its
 * binary shards, read by tensor name.
 *
 * Layout (tfjs-core io): each manifest group lists shard files whose bytes,
 * concatenated in order, hold that group's weights back to back, each
 * row-major little-endian, 4 bytes per element for float32 and int32.
 * Quantised weights are not supported (no published model we load uses them).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { formatShape, sizeOf, Tensor } from '../tensor/tensor.js';
import { checkFinite } from './finite.js';
import { jsonErrorText } from './json-file.js';

export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

export interface TfjsWeightGroup {
  paths: string[];
  weights: TfjsWeightSpec[];
}

export interface TfjsModelJson {
  modelTopology?: unknown;
  weightsManifest: TfjsWeightGroup[];
  [key: string]: unknown;
}

/** One weight as stored: float32 or int32 values in row-major order. */
export interface TfjsArray {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  data: Float32Array | Int32Array;
}

export interface TfjsModel {
  /** Path of the model.json that was read (for error messages). */
  path: string;
  json: TfjsModelJson;
  weights: Map<string, TfjsArray>;
}

/** Read `model.json` and every weight in its manifest. */
export function readTfjsModel(modelJsonPath: string): TfjsModel {
  const json = parseModelJson(modelJsonPath);
  const dir = dirname(modelJsonPath);
  const weights = new Map<string, TfjsArray>();
  json.weightsManifest.forEach((group, g) => {
    const bytes = readGroup(modelJsonPath, dir, group, g);
    let offset = 0;
    for (const spec of group.weights) {
      const n = sizeOf(spec.shape);
      const end = offset + 4 * n;
      // Copy into a fresh buffer: shard offsets need not be 4-byte aligned in memory.
      const slice = new Uint8Array(bytes.subarray(offset, end)).buffer;
      const data = spec.dtype === 'float32' ? new Float32Array(slice) : new Int32Array(slice);
      if (data instanceof Float32Array)
        checkFinite(modelJsonPath, spec.name, data, spec.shape, 'every value must be finite');
      weights.set(spec.name, {
        name: spec.name,
        shape: [...spec.shape],
        dtype: spec.dtype as TfjsArray['dtype'],
        data,
      });
      offset = end;
    }
  });
  return { path: modelJsonPath, json, weights };
}

/**
 * The float32 weight `name` as a Tensor (sharing its data), checked against
 * `expectedShape` when given.
 */
export function tfjsTensor(
  model: TfjsModel,
  name: string,
  expectedShape?: readonly number[],
): Tensor {
  const w = model.weights.get(name);
  if (!w) throw new Error(`${model.path}: no weight named '${name}' in the weightsManifest`);
  if (w.dtype !== 'float32')
    throw new Error(`${model.path}: weight '${name}' is ${w.dtype}, expected float32`);
  if (expectedShape && w.shape.join() !== expectedShape.join()) {
    throw new Error(
      `${model.path}: weight '${name}' has shape ${formatShape(w.shape)}, expected ${formatShape(expectedShape)}`,
    );
  }
  return new Tensor(w.data as Float32Array, w.shape);
}

function parseModelJson(path: string): TfjsModelJson {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(
      `cannot read TF.js model ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${jsonErrorText(err)})`);
  }
  const manifest = (json as { weightsManifest?: unknown } | null)?.weightsManifest;
  if (!Array.isArray(manifest))
    throw new Error(`${path}: field 'weightsManifest' must be an array of groups`);
  manifest.forEach((group: unknown, g: number) => {
    checkGroup(path, group, g);
  });
  return json as TfjsModelJson;
}

function checkGroup(path: string, group: unknown, g: number): void {
  const gr = group as Partial<TfjsWeightGroup> | null;
  if (!gr || !Array.isArray(gr.paths) || !gr.paths.every((p) => typeof p === 'string')) {
    throw new Error(`${path}: weightsManifest[${g}].paths must be an array of file names`);
  }
  // Shards are read relative to model.json (and `edora merge` copies their
  // bytes out): a path may not reach any file outside the model directory.
  const dir = resolve(dirname(path));
  gr.paths.forEach((p, i) => {
    const rel = relative(dir, resolve(dir, p));
    if (p === '' || rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw new Error(
        `${path}: weightsManifest[${g}].paths[${i}] ${JSON.stringify(p)} must name a file inside the model directory`,
      );
    }
  });
  if (!Array.isArray(gr.weights))
    throw new Error(`${path}: weightsManifest[${g}].weights must be an array`);
  gr.weights.forEach((w, i) => {
    const where = `${path}: weightsManifest[${g}].weights[${i}]`;
    if (!w || typeof w.name !== 'string')
      throw new Error(`${where}: field 'name' must be a string`);
    if (!Array.isArray(w.shape) || w.shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new Error(
        `${where} ('${w.name}'): field 'shape' must be an array of non-negative integers`,
      );
    }
    if (w.quantization !== undefined) {
      throw new Error(
        `${where} ('${w.name}'): quantized weights are not supported (expected plain float32/int32)`,
      );
    }
    if (w.dtype !== 'float32' && w.dtype !== 'int32') {
      throw new Error(
        `${where} ('${w.name}'): dtype '${String(w.dtype)}' is not supported (expected float32 or int32)`,
      );
    }
  });
}

/** The group's shards concatenated, checked against the bytes its weights need. */
function readGroup(path: string, dir: string, group: TfjsWeightGroup, g: number): Uint8Array {
  const parts: Buffer[] = [];
  for (const p of group.paths) {
    const file = join(dir, p);
    try {
      parts.push(readFileSync(file));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new Error(
        `${path}: shard '${p}' of weight group ${g} cannot be read (${file}: ${code})`,
      );
    }
  }
  const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  const need = group.weights.reduce((acc, w) => acc + 4 * sizeOf(w.shape), 0);
  if (bytes.length !== need) {
    throw new Error(
      `${path}: weight group ${g} needs ${need} bytes for its ${group.weights.length} weights, its shards (${group.paths.join(', ')}) hold ${bytes.length}`,
    );
  }
  return bytes;
}

/**
 * Write a TF.js graph model into `dir`: `model.json` with the same topology
 * and a one-group, one-shard weightsManifest listing `weights` in the order
 * of the original manifest, and the shard `group1-shard1of1.bin`. Used to
 * save a model whose weights changed (a merged adapter) in the format it
 * was read from.
 */
export function writeTfjsModel(
  dir: string,
  json: TfjsModelJson,
  weights: ReadonlyMap<string, TfjsArray>,
): void {
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const total = specs.reduce((s, w) => s + 4 * sizeOf(w.shape), 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const spec of specs) {
    const w = weights.get(spec.name);
    if (!w) throw new Error(`writeTfjsModel: no value for weight '${spec.name}'`);
    if (w.shape.join() !== spec.shape.join() || w.dtype !== spec.dtype) {
      throw new Error(
        `writeTfjsModel: weight '${spec.name}' is ${w.dtype} ${formatShape(w.shape)}, the manifest says ${spec.dtype} ${formatShape(spec.shape)}`,
      );
    }
    if (w.data instanceof Float32Array)
      checkFinite(join(dir, 'model.json'), spec.name, w.data, w.shape, 'nothing was written');
    bytes.set(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength), offset);
    offset += w.data.byteLength;
  }
  const shard = 'group1-shard1of1.bin';
  const out: TfjsModelJson = { ...json, weightsManifest: [{ paths: [shard], weights: specs }] };
  writeFileSync(join(dir, shard), bytes);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(out));
}
