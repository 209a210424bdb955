/**
 * An adapter file agrees with its config: every tensor the method names has
 * the shape its description gives (AdapterMethod.tensors) — the rank
 * adapter_config.json gives its module (r, or its rank_pattern entry) on
 * each 'r' axis — and the tensors of one module agree on d_out. Checked
 * before anything is built from the config (a wrong r would otherwise size
 * the adapters) and before `export` writes a file that PEFT would load into
 * nonsense.
 */
import { getMethod } from '../adapters/registry.js';
import { formatShape, type Tensor } from '../tensor/tensor.js';
import type { PeftOptions } from './config.js';
import { KEY_PREFIX } from './format.js';
import { patternValue } from './targets.js';

export function checkAdapterRanks(
  tensors: ReadonlyMap<string, Tensor>,
  opts: Pick<PeftOptions, 'method' | 'r' | 'rankPattern'>,
  configPath: string,
  weightsPath: string,
): void {
  const specs = getMethod(opts.method).tensors;
  const suffixes = Object.keys(specs);
  const outRows = new Map<string, { rows: number; key: string }>();
  for (const [key, t] of tensors) {
    const suffix = suffixes.find((s) => key.endsWith(`.${s}`));
    if (!suffix) continue;
    const { shape } = specs[suffix]!;
    const name = key.startsWith(KEY_PREFIX) ? key.slice(KEY_PREFIX.length) : key;
    const path = name.slice(0, -`.${suffix}`.length);
    const r = patternValue(path, opts.rankPattern ?? {}, opts.r);
    const fits =
      t.shape.length === shape.length &&
      shape.every((d, i) =>
        d === 'r' ? t.shape[i] === r : typeof d !== 'number' || t.shape[i] === d,
      );
    if (!fits) {
      const dims = shape.map((d) => (typeof d === 'number' ? d : d === 'r' ? 'r' : `d_${d}`));
      throw new Error(
        shape.includes('r')
          ? `${weightsPath}: tensor '${key}' has shape ${formatShape(t.shape)}, but ${configPath} gives '${path}' rank r = ${r}`
          : `${weightsPath}: tensor '${key}' has shape ${formatShape(t.shape)}, expected ${shape.length === 1 ? 'a vector ' : ''}[${dims.join(', ')}]`,
      );
    }
    const out = shape.indexOf('out');
    if (out >= 0) rowsAgree(outRows, path, t.shape[out]!, key, weightsPath);
  }
}

/** The d_out axes of one module's tensors (lora_B's rows, the magnitude's length) agree. */
function rowsAgree(
  seen: Map<string, { rows: number; key: string }>,
  path: string,
  rows: number,
  key: string,
  weightsPath: string,
): void {
  const other = seen.get(path);
  if (!other) {
    seen.set(path, { rows, key });
    return;
  }
  if (other.rows !== rows)
    throw new Error(
      `${weightsPath}: tensor '${key}' has ${rows} output rows, '${other.key}' has ${other.rows}`,
    );
}
