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

/**
 * How each config field that holds a regular expression is matched, as PEFT
 * matches it: built in one place so that a config can be checked up front
 * (see checkPatterns) with exactly the expressions matching will use.
 */
export const PATTERNS = {
  /** A string targetModules: the whole path. */
  targetModules: (t: string): RegExp => new RegExp(`^(?:${t})$`),
  /** A string excludeModules: the whole path. */
  excludeModules: (ex: string): RegExp => new RegExp(`^(?:${ex})$`),
  /** A modulesToSave name: the module or anything inside it. */
  modulesToSave: (m: string): RegExp => new RegExp(`^(?:|.*\\.)(?:${m})(?:$|\\..*)`),
  /** A layersPattern name: the segment the layer index follows. */
  layersPattern: (p: string): RegExp => new RegExp(`^(?:|.*?\\.)(?:${p})\\.(\\d+)\\.`),
  /** A rankPattern / alphaPattern key: the end of the path. */
  rankPattern: (key: string): RegExp => new RegExp(`(?:^|.*\\.)(?:${key})$`),
} as const;

/**
 * Compile every regular expression of a selection once, so that a bad one is
 * an error naming its field (`what(field)` gives the name to print) rather
 * than a SyntaxError in the middle of matching.
 */
export function checkPatterns(
  sel: TargetSelection & Partial<Pick<PeftConfig, 'rankPattern' | 'alphaPattern'>>,
  what: (field: string) => string,
): void {
  const check = (field: string, build: (s: string) => RegExp, source: string): void => {
    try {
      build(source);
    } catch (e) {
      throw new Error(
        `${what(field)}: ${JSON.stringify(source)} is not a valid regular expression (${(e as Error).message})`,
      );
    }
  };
  if (typeof sel.targetModules === 'string' && sel.targetModules !== 'all-linear')
    check('targetModules', PATTERNS.targetModules, sel.targetModules);
  if (typeof sel.excludeModules === 'string')
    check('excludeModules', PATTERNS.excludeModules, sel.excludeModules);
  for (const m of sel.modulesToSave ?? []) check('modulesToSave', PATTERNS.modulesToSave, m);
  for (const p of sel.layersPattern ?? []) check('layersPattern', PATTERNS.layersPattern, p);
  for (const k of Object.keys(sel.rankPattern ?? {})) check('rankPattern', PATTERNS.rankPattern, k);
  for (const k of Object.keys(sel.alphaPattern ?? {}))
    check('alphaPattern', PATTERNS.rankPattern, k);
}

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
      ? layersPattern.map(PATTERNS.layersPattern)
      : [/^.*?\.[^.]*\.(\d+)\./];
  for (const re of patterns) {
    const m = re.exec(path);
    if (m) return Number(m[1]);
  }
  return null;
}

function isExcluded(path: string, sel: TargetSelection): boolean {
  const ex = sel.excludeModules;
  if (typeof ex === 'string' && ex !== '') return PATTERNS.excludeModules(ex).test(path);
  if (Array.isArray(ex) && ex.some((name) => matchesSuffix(path, name))) return true;
  // A module trained whole (modulesToSave) never also gets an adapter.
  return (sel.modulesToSave ?? []).some((m) => PATTERNS.modulesToSave(m).test(path));
}

/** Whether the linear layer at `path` is a target of `sel`. */
export function isTarget(path: string, sel: TargetSelection): boolean {
  if (isExcluded(path, sel)) return false;
  const t = sel.targetModules;
  if (t === 'all-linear') return !HEAD_NAMES.some((h) => path === h || path.startsWith(`${h}.`));
  if (typeof t === 'string') return PATTERNS.targetModules(t).test(path);
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
    if (PATTERNS.rankPattern(key).test(path)) return value;
  }
  return fallback;
}
