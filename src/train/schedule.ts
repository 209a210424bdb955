/**
 * Hugging Face's linear schedule with warmup (get_linear_schedule_with_warmup):
 * the learning rate of an optimizer step is baseLr × linearWarmupDecay(step, …)
 * where `step` counts the optimizer steps already taken (0 for the first).
 */

function checkSteps(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new Error(`${what} must be an integer ≥ 0, got ${n}`);
}

/**
 * step/warmup during warmup, then a straight line from 1 down to 0 at
 * totalSteps, and 0 after it: HF's lr_lambda, including its max(1, ·) guards.
 */
export function linearWarmupDecay(step: number, totalSteps: number, warmupSteps: number): number {
  checkSteps('linearWarmupDecay: step', step);
  checkSteps('linearWarmupDecay: totalSteps', totalSteps);
  checkSteps('linearWarmupDecay: warmupSteps', warmupSteps);
  if (step < warmupSteps) return step / Math.max(1, warmupSteps);
  return Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
}

/**
 * Warmup steps for a warmup ratio: ceil(totalSteps × ratio), as
 * TrainingArguments.get_warmup_steps (in double precision, so 100 × 0.07
 * gives 8, as it does in Python).
 */
export function warmupSteps(totalSteps: number, warmupRatio: number): number {
  checkSteps('warmupSteps: totalSteps', totalSteps);
  if (!(warmupRatio >= 0 && warmupRatio <= 1))
    throw new Error(`warmupSteps: warmupRatio must be in [0, 1], got ${warmupRatio}`);
  return Math.ceil(totalSteps * warmupRatio);
}
