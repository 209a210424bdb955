/**
 * Export an adapter directory to plain PEFT formats, file to file (no model
 * needed):
 *   peft-dora: an EDoRA adapter as a DoRA adapter — lora_A = A,
 *              lora_B = B·R, the same magnitude, r and alpha — which
 *              Hugging Face PEFT loads with use_dora=True.
 *   peft-lora: a LoRA-XS adapter as a LoRA adapter (lora_B = B·R).
 * LoRA and DoRA adapters are already PEFT adapters; they are copied as is.
 */
import { join } from 'node:path';
import { matmul } from '../autograd/ops/matmul.js';
import { noGrad } from '../autograd/tape.js';
import { writeFileAtomic } from '../io/atomic.js';
import { readJsonFile } from '../io/json-file.js';
import { writeDirAtomic } from '../io/output-dir.js';
import { readSafetensors, writeSafetensors } from '../io/safetensors.js';
import type { Tensor } from '../tensor/tensor.js';
import { CONFIG_FILE, fromAdapterConfigJson, WEIGHTS_FILE } from './format.js';
import { readAdapterLabels, writeAdapterLabels } from './labels.js';
import { checkAdapterRanks } from './ranks.js';

export type ExportTarget = 'peft-dora' | 'peft-lora';

export function exportAdapter(
  dir: string,
  to: ExportTarget,
  outDir: string,
): { method: string; tensors: number } {
  const configPath = join(dir, CONFIG_FILE);
  const json = readJsonFile(configPath) as Record<string, unknown>;
  const opts = fromAdapterConfigJson(json, configPath);
  const { method } = opts;
  const want = to === 'peft-dora' ? ['edora', 'dora'] : ['lora-xs', 'lora'];
  if (!want.includes(method)) {
    throw new Error(
      `${configPath}: ${method} adapters cannot be exported to ${to} (${to} takes ${want.join(' or ')} adapters; use ${method === 'edora' || method === 'dora' ? 'peft-dora' : 'peft-lora'})`,
    );
  }
  const { tensors } = readSafetensors(join(dir, WEIGHTS_FILE));
  // The output keeps the config's r: the tensors must have it.
  checkAdapterRanks(tensors, opts, configPath, join(dir, WEIGHTS_FILE));
  const out = new Map<string, Tensor>();
  noGrad(() => {
    for (const [key, t] of tensors) {
      if (key.endsWith('.lora_R.weight')) continue;
      if (key.endsWith('.lora_B.weight')) {
        const rKey = `${key.slice(0, -'.lora_B.weight'.length)}.lora_R.weight`;
        const r = tensors.get(rKey);
        out.set(key, r ? matmul(t, r) : t);
      } else {
        out.set(key, t);
      }
    }
    for (const key of tensors.keys()) {
      if (
        key.endsWith('.lora_R.weight') &&
        !tensors.has(`${key.slice(0, -'.lora_R.weight'.length)}.lora_B.weight`)
      ) {
        throw new Error(`${join(dir, WEIGHTS_FILE)}: '${key}' has no matching lora_B.weight`);
      }
    }
  });
  const config = { ...json, peft_type: 'LORA', use_dora: to === 'peft-dora' };
  delete (config as Record<string, unknown>)['edora'];
  const labels = readAdapterLabels(dir);
  writeDirAtomic(outDir, (tmp) => {
    writeSafetensors(join(tmp, WEIGHTS_FILE), out, { format: 'pt' });
    writeFileAtomic(join(tmp, CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
    if (labels) writeAdapterLabels(tmp, labels);
  });
  return { method, tensors: out.size };
}
