/**
 * An adapter file agrees with its config: every low-rank tensor has the rank
 * adapter_config.json gives its module (r, or its rank_pattern entry), and
 * the factors of one module fit together. Checked before anything is built
 * from the config (a wrong r would otherwise size the adapters) and before
 * `export` writes a file that PEFT would load into nonsense.
 */
import { formatShape, type Tensor } from '../tensor/tensor.js';
import type { PeftOptions } from './config.js';
import { KEY_PREFIX } from './format.js';
import { patternValue } from './targets.js';

/** Which dimension of each low-rank tensor is the rank, and its dimensions in all. */
const RANK_AXES: Record<string, { axes: number[]; ndim: number }> = {
  'lora_A.weight': { axes: [0], ndim: 2 },
  'lora_B.weight': { axes: [1], ndim: 2 },
  'lora_R.weight': { axes: [0, 1], ndim: 2 },
};

export function checkAdapterRanks(
  tensors: ReadonlyMap<string, Tensor>,
  opts: Pick<PeftOptions, 'r' | 'rankPattern'>,
  configPath: string,
  weightsPath: string,
): void {
  const outRows = new Map<string, { rows: number; key: string }>();
  for (const [key, t] of tensors) {
    const suffix = Object.keys(RANK_AXES).find((s) => key.endsWith(`.${s}`));
    const isMagnitude = key.endsWith('.lora_magnitude_vector');
    if (!suffix && !isMagnitude) continue;
    const name = key.startsWith(KEY_PREFIX) ? key.slice(KEY_PREFIX.length) : key;
    const path = name.slice(0, -`.${suffix ?? 'lora_magnitude_vector'}`.length);
    if (isMagnitude) {
      if (t.shape.length !== 1)
        throw new Error(
          `${weightsPath}: tensor '${key}' has shape ${formatShape(t.shape)}, expected a vector [d_out]`,
        );
      rowsAgree(outRows, path, t.shape[0]!, key, weightsPath);
      continue;
    }
    const { axes, ndim } = RANK_AXES[suffix!]!;
    const r = patternValue(path, opts.rankPattern ?? {}, opts.r);
    if (t.shape.length !== ndim || axes.some((a) => t.shape[a] !== r)) {
      throw new Error(
        `${weightsPath}: tensor '${key}' has shape ${formatShape(t.shape)}, but ${configPath} gives '${path}' rank r = ${r}`,
      );
    }
    if (suffix === 'lora_B.weight') rowsAgree(outRows, path, t.shape[0]!, key, weightsPath);
  }
}

/** lora_B's rows and the magnitude's length are both d_out. */
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
