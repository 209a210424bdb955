/**
 * The settings a resumed run must share with its checkpoint. Each checkpoint
 * records them; a resume that asks for others is refused, naming them, so
 * that a forgotten or mistyped flag cannot silently turn the run into
 * another one.
 *
 * The method can never change (the saved tensors would not fit). The batch
 * size, gradient accumulation and learning rates may, when the user says so
 * (`overrideResume`): the changes are returned for the log, and the run goes
 * on from the saved step and position in the epoch (counted in batches).
 */

export interface ResumeSettings {
  method: string;
  batchSize: number;
  gradientAccumulation: number;
  lr: number;
  headLr: number;
}

type Overridable = Exclude<keyof ResumeSettings, 'method'>;

/** In the order they are compared and reported. */
const LABELS: Record<Overridable, string> = {
  batchSize: 'batch size',
  gradientAccumulation: 'gradient accumulation',
  lr: 'learning rate',
  headLr: 'head learning rate',
};

export type SettingChanges = Partial<Record<Overridable, { checkpoint: number; now: number }>>;

/** The first invalid field of recorded settings and what it should be; null when `s` is valid. */
export function settingsProblem(s: unknown): { field: string; expected: string } | null {
  if (s === null || typeof s !== 'object' || Array.isArray(s))
    return { field: 'settings', expected: 'an object' };
  const o = s as Record<string, unknown>;
  if (typeof o['method'] !== 'string' || o['method'] === '')
    return { field: 'settings.method', expected: 'a method name' };
  for (const k of ['batchSize', 'gradientAccumulation'] as const)
    if (!Number.isInteger(o[k]) || (o[k] as number) < 1)
      return { field: `settings.${k}`, expected: 'a positive integer' };
  for (const k of ['lr', 'headLr'] as const)
    if (typeof o[k] !== 'number' || !Number.isFinite(o[k]) || o[k] < 0)
      return { field: `settings.${k}`, expected: 'a finite number ≥ 0' };
  return null;
}

/**
 * Compare the settings of a checkpoint (`where`) with this run's. Throws for
 * another method, and for other changes unless `override`; returns the
 * changes. A checkpoint from before settings were recorded passes.
 */
export function checkResumeSettings(
  where: string,
  saved: ResumeSettings | undefined,
  now: ResumeSettings,
  override: boolean,
): SettingChanges {
  if (saved === undefined) return {};
  if (saved.method !== now.method)
    throw new Error(
      `${where}: the checkpoint was trained with method ${saved.method}, not ${now.method}: resume with --method ${saved.method}, or start a new run in another --out`,
    );
  const changes: SettingChanges = {};
  for (const k of Object.keys(LABELS) as Overridable[])
    if (saved[k] !== now[k]) changes[k] = { checkpoint: saved[k], now: now[k] };
  const entries = Object.entries(changes) as [Overridable, { checkpoint: number; now: number }][];
  if (entries.length > 0 && !override) {
    const list = entries.map(([k, c]) => `${LABELS[k]} ${c.checkpoint}, not ${c.now}`).join('; ');
    throw new Error(
      `${where}: the checkpoint was trained with ${list}: resume with the same settings, or pass --override-resume to change them`,
    );
  }
  return changes;
}

/** "batch size 4 → 8, learning rate 0.01 → 0.02", for the one line a run prints about its overrides. */
export function describeChanges(changes: SettingChanges): string {
  return (Object.entries(changes) as [Overridable, { checkpoint: number; now: number }][])
    .map(([k, c]) => `${LABELS[k]} ${c.checkpoint} → ${c.now}`)
    .join(', ');
}
