/**
 * Evaluating an adapter on a data set: the data's labels must be the ones
 * the adapter's head was trained on (its label_map.json). The same names in
 * another order are re-indexed; another count or other names are an error,
 * never a silently wrong metric.
 */
import type { Example, TaskData } from '../data/types.js';
import { LABELS_FILE } from '../peft/labels.js';

export function alignToAdapterLabels(
  data: TaskData,
  adapterLabels: readonly string[] | null,
  adapterDir: string,
): TaskData {
  if (adapterLabels === null || data.labels === null) return data;
  const where = `${adapterDir}/${LABELS_FILE}`;
  const list = (names: readonly string[]): string => names.map((n) => JSON.stringify(n)).join(', ');
  if (adapterLabels.length !== data.labels.length) {
    throw new Error(
      `${where} lists ${adapterLabels.length} labels (${list(adapterLabels)}), the data ${data.name} has ${data.labels.length} (${list(data.labels)})`,
    );
  }
  const index = new Map(adapterLabels.map((l, i) => [l, i]));
  const unknown = data.labels.filter((l) => !index.has(l));
  if (unknown.length > 0) {
    throw new Error(
      `${where}: the data ${data.name} has labels the adapter was not trained on (${list(unknown)}; the adapter's: ${list(adapterLabels)})`,
    );
  }
  const to = data.labels.map((l) => index.get(l)!);
  const remap = (examples: Example[]): Example[] =>
    examples.map((e) => ({ ...e, label: to[e.label]! }));
  return {
    ...data,
    labels: [...adapterLabels],
    train: remap(data.train),
    validation: remap(data.validation),
    test: remap(data.test),
  };
}
