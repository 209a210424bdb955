/** One labelled example: a text (or a text pair) and its class index or regression target. */
export interface Example {
  text: string;
  textPair?: string;
  /** Class index into `TaskData.labels`, or a float target for regression. */
  label: number;
}

/** A task's main metric, chosen as GLUE does. */
export type Metric = 'accuracy' | 'f1' | 'mcc' | 'pearson' | 'spearman';

export interface TaskData {
  name: string;
  /** Class names by index; null for regression. */
  labels: string[] | null;
  metric: Metric;
  train: Example[];
  validation: Example[];
  test: Example[];
  /** One line: source, split rule, sizes. */
  description: string;
}

/** What a reader returns: the examples and the label map they index into. */
export interface ReadResult {
  examples: Example[];
  labels: string[];
}

/** Which fields of a CSV / JSONL record hold the text, the pair and the label. */
export interface FieldOptions {
  text: string;
  textPair?: string;
  label: string;
  /** The label map (class names by index); when absent, the sorted distinct labels of the file. */
  labels?: string[];
}
