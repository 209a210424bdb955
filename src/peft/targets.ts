/** Deciding which modules an adapter goes into, the way PEFT decides. */
import type { PeftConfig } from './config.js';

/** PEFT's layer-index pattern: `….layer.3.…`, `….layers.3.…`, `….h.3.…`, `….block(s).3.…`. */
const LAYER_INDEX = /(?:^|\.)(?:layer|layers|h|block|blocks)\.(\d+)(?:\.|$)/;

/** Names of output heads that 'all-linear' leaves alone (PEFT skips the output layer). */
const HEAD_NAMES = ['classifier', 'lm_head', 'out_proj', 'score', 'qa_outputs'];

/** Does `path` end with the dotted suffix `name` on a segment boundary? */
export function matchesSuffix(path: string, name: string): boolean {
  return path === name || path.endsWith(`.${name}`);
}

export function layerIndexOf(path: string): number | null {
  const m = LAYER_INDEX.exec(path);
  return m ? Number(m[1]) : null;
}

/** Whether the linear layer at `path` is a target of `config`. */
export function isTarget(
  path: string,
  config: Pick<PeftConfig, 'targetModules' | 'layersToTransform'>,
): boolean {
  const t = config.targetModules;
  let hit: boolean;
  if (t === 'all-linear') {
    hit = !HEAD_NAMES.some((h) => path === h || path.startsWith(`${h}.`) || path.includes(`.${h}`));
  } else if (typeof t === 'string') {
    hit = new RegExp(`^(?:${t})$`).test(path);
  } else {
    hit = t.some((name) => matchesSuffix(path, name));
  }
  if (!hit) return false;
  if (config.layersToTransform) {
    const idx = layerIndexOf(path);
    return idx !== null && config.layersToTransform.includes(idx);
  }
  return true;
}

/** PEFT's rank_pattern / alpha_pattern lookup: the first key whose regex matches the end of the path. */
export function patternValue(
  path: string,
  pattern: Record<string, number>,
  fallback: number,
): number {
  for (const [key, value] of Object.entries(pattern)) {
    if (new RegExp(`(?:^|.*\\.)(?:${key})$`).test(path)) return value;
  }
  return fallback;
}
