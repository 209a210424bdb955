/**
 * Export an adapter directory to plain PEFT formats, file to file (no model
 * needed). Each method lists its targets (AdapterMethod.exports): the
 * format of the method it is exported as, and how one layer's tensors are
 * converted. Today:
 *   peft-dora: an EDoRA adapter as a DoRA adapter — lora_A = A,
 *              lora_B = B·R, the same magnitude, r and alpha — which
 *              Hugging Face PEFT loads with use_dora=True.
 *   peft-lora: a LoRA-XS adapter as a LoRA adapter (lora_B = B·R).
 * LoRA and DoRA adapters are already PEFT adapters; they are copied as is.
 */
import { join } from 'node:path';
import { getMethod, methods } from '../adapters/registry.js';
import type { MethodName } from '../adapters/types.js';
import { writeFileAtomic } from '../io/atomic.js';
import { readJsonFile } from '../io/json-file.js';
import { writeDirAtomic } from '../io/output-dir.js';
import { readSafetensors, writeSafetensors } from '../io/safetensors.js';
import type { Tensor } from '../tensor/tensor.js';
import { CONFIG_FILE, fromAdapterConfigJson, WEIGHTS_FILE } from './format.js';
import { readAdapterLabels, writeAdapterLabels } from './labels.js';
import { checkAdapterRanks } from './ranks.js';

export type ExportTarget = string;

/** Every export target, sorted, with the methods that can be exported to it. */
export function exportTargets(): Map<ExportTarget, MethodName[]> {
  const out = new Map<string, MethodName[]>();
  for (const m of methods())
    for (const e of m.exports) out.set(e.to, [...(out.get(e.to) ?? []), m.name]);
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * The file's tensors split by adapted module (path → key suffix → tensor),
 * for the suffixes the method names; the others (modules_to_save) apart.
 */
function byModule(
  tensors: ReadonlyMap<string, Tensor>,
  suffixes: readonly string[],
): { layers: Map<string, Map<string, Tensor>>; rest: Map<string, Tensor> } {
  const layers = new Map<string, Map<string, Tensor>>();
  const rest = new Map<string, Tensor>();
  for (const [key, t] of tensors) {
    const suffix = suffixes.find((s) => key.endsWith(`.${s}`));
    if (!suffix) {
      rest.set(key, t);
      continue;
    }
    const path = key.slice(0, -suffix.length - 1);
    if (!layers.has(path)) layers.set(path, new Map());
    layers.get(path)!.set(suffix, t);
  }
  return { layers, rest };
}

export function exportAdapter(
  dir: string,
  to: ExportTarget,
  outDir: string,
): { method: string; tensors: number } {
  const configPath = join(dir, CONFIG_FILE);
  const weightsPath = join(dir, WEIGHTS_FILE);
  const json = readJsonFile(configPath) as Record<string, unknown>;
  const opts = fromAdapterConfigJson(json, configPath);
  const method = getMethod(opts.method);
  const target = method.exports.find((e) => e.to === to);
  if (!target) {
    const takes = exportTargets().get(to) ?? [];
    const own = method.exports.map((e) => e.to);
    throw new Error(
      `${configPath}: ${method.name} adapters cannot be exported to ${to} (${to} takes ${takes.join(' or ') || 'no'} adapters; ${own.length > 0 ? `use ${own.join(' or ')}` : `PEFT has no format for ${method.name}`})`,
    );
  }
  const { tensors } = readSafetensors(weightsPath);
  // The output keeps the config's r: the tensors must have it.
  checkAdapterRanks(tensors, opts, configPath, weightsPath);
  const { layers, rest } = byModule(tensors, Object.keys(method.tensors));
  const out = new Map(rest);
  for (const [path, layer] of layers) {
    let converted: Map<string, Tensor>;
    try {
      converted = target.convert ? target.convert(layer) : new Map(layer);
    } catch (e) {
      throw new Error(`${weightsPath}: '${path}': ${(e as Error).message}`);
    }
    for (const [suffix, t] of converted) out.set(`${path}.${suffix}`, t);
  }
  const as = getMethod(target.as);
  const config: Record<string, unknown> = {
    ...json,
    peft_type: as.peft.peftType,
    ...as.peft.configFields,
  };
  // The block that rebuilds an SVD-initialised adapter: the target has none to rebuild.
  if (!as.needsSvd) delete config['edora'];
  const labels = readAdapterLabels(dir);
  writeDirAtomic(outDir, (tmp) => {
    writeSafetensors(join(tmp, WEIGHTS_FILE), out, { format: 'pt' });
    writeFileAtomic(join(tmp, CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
    if (labels) writeAdapterLabels(tmp, labels);
  });
  return { method: method.name, tensors: out.size };
}
