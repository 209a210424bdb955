/**
 * Deciding which modules an adapter goes into, by PEFT's rules
 * (peft.tuners.tuners_utils.check_target_module_exists), so that an adapter
 * directory lands on the same layers here and in Hugging Face PEFT.
 */
import type { PeftConfig } from './config.js';

/** The parts of a config that choose the adapted layers. */
export type TargetSelection = Pick<PeftConfig, 'targetModules' | 'layersToTransform'> &
  Partial<Pick<PeftConfig, 'layersPattern' | 'excludeModules' | 'modulesToSave'>>;

/**
 * Top-level output heads that 'all-linear' leaves alone, as PEFT leaves out
 * the output embedding and a sequence-classification head.
 */
const HEAD_NAMES = ['classifier', 'score', 'lm_head', 'qa_outputs'];

/** Does `path` end with the dotted suffix `name` on a segment boundary? */
export function matchesSuffix(path: string, name: string): boolean {
  return path === name || path.endsWith(`.${name}`);
}

/**
 * The layer index in `path`: by default the first number that follows a
 * named segment (`bert.encoder.layer.3.…` → 3), or with `layersPattern` the
 * number after one of those segment names.
 */
export function layerIndexOf(path: string, layersPattern: string[] | null = null): number | null {
  const patterns =
    layersPattern && layersPattern.length > 0
      ? layersPattern.map((p) => new RegExp(`^(?:|.*?\\.)(?:${p})\\.(\\d+)\\.`))
      : [/^.*?\.[^.]*\.(\d+)\./];
  for (const re of patterns) {
    const m = re.exec(path);
    if (m) return Number(m[1]);
  }
  return null;
}

function isExcluded(path: string, sel: TargetSelection): boolean {
  const ex = sel.excludeModules;
  if (typeof ex === 'string' && ex !== '') return new RegExp(`^(?:${ex})$`).test(path);
  if (Array.isArray(ex) && ex.some((name) => matchesSuffix(path, name))) return true;
  // A module trained whole (modulesToSave) never also gets an adapter.
  return (sel.modulesToSave ?? []).some((m) =>
    new RegExp(`^(?:|.*\\.)(?:${m})(?:$|\\..*)`).test(path),
  );
}

/** Whether the linear layer at `path` is a target of `sel`. */
export function isTarget(path: string, sel: TargetSelection): boolean {
  if (isExcluded(path, sel)) return false;
  const t = sel.targetModules;
  if (t === 'all-linear') return !HEAD_NAMES.some((h) => path === h || path.startsWith(`${h}.`));
  if (typeof t === 'string') return new RegExp(`^(?:${t})$`).test(path);
  // A full path named in the list is taken as it is, layersToTransform or not (as PEFT does).
  if (t.includes(path)) return true;
  if (!t.some((name) => path.endsWith(`.${name}`))) return false;
  if (sel.layersToTransform && sel.layersToTransform.length > 0) {
    const idx = layerIndexOf(path, sel.layersPattern ?? null);
    return idx !== null && sel.layersToTransform.includes(idx);
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
