/**
 * Writing a finished study's report: `<out>/report/` with results.json,
 * results.md and two SVG charts per task. The folder is replaced as a whole,
 * so it always belongs to one finished study, never to a mix of two.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../../io/atomic.js';
import { replaceDir } from '../../io/replace-dir.js';
import { learningCurveChart, tradeoffChart } from './charts.js';
import { studyMarkdown } from './markdown.js';
import type { StudyResults } from './results.js';

export const REPORT_DIR = 'report';

export async function writeStudyReport(out: string, results: StudyResults): Promise<string> {
  const charts = new Map<string, string>();
  for (const task of results.settings.tasks) {
    const cells = results.cells.filter((c) => c.task === task);
    charts.set(`tradeoff-${task}.svg`, await tradeoffChart(task, cells));
    charts.set(`curves-${task}.svg`, await learningCurveChart(task, cells));
  }
  const dir = join(out, REPORT_DIR);
  replaceDir(dir, (tmp) => {
    writeFileAtomic(join(tmp, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeFileAtomic(join(tmp, 'results.md'), studyMarkdown(results));
    for (const [name, svg] of charts) writeFileAtomic(join(tmp, name), svg);
  });
  return dir;
}
