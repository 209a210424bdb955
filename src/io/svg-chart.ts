/**
 * Rendering a Vega-Lite chart to an SVG string, headless (no browser, no
 * canvas): the charts of `edora train`'s report and of `edora study`.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export type { TopLevelSpec };

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
