/**
 * `<out>/log.jsonl`: one JSON record per line (steps, evaluations, resumes),
 * appended as the run goes, so that it survives a crash up to its last line.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../io/atomic.js';

export function appendLogRecord(path: string, record: Record<string, unknown>): void {
  appendFileSync(path, `${JSON.stringify({ time: new Date().toISOString(), ...record })}\n`);
}

/**
 * A resume continues from the checkpoint of `step`, after `evaluations`
 * evaluations: the interrupted run's records past that point are dropped,
 * since the resumed run writes them again (a line cut short by a crash goes
 * too). Rewritten atomically.
 */
export function truncateLogForResume(path: string, step: number, evaluations: number): void {
  if (!existsSync(path)) return;
  let evals = 0;
  const kept = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => {
      let r: Record<string, unknown>;
      try {
        r = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return false;
      }
      if (r['type'] === 'eval') return ++evals <= evaluations;
      return typeof r['step'] !== 'number' || r['step'] <= step;
    });
  writeFileAtomic(path, kept.map((l) => `${l}\n`).join(''));
}
