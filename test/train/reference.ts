/** The torch / Python references of test/fixtures/train/make_reference.py. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AdamWCase {
  betas: [number, number];
  eps: number;
  shapes: Record<string, number[]>;
  groups: { names: string[]; lr: number; weight_decay: number }[];
  init: Record<string, number[]>;
  steps: {
    lr: [number, number][];
    grads: Record<string, number[] | null>;
    params: Record<string, number[]>;
  }[];
}

export interface ClipCase {
  shapes: number[][];
  maxNorm: number;
  grads: number[][];
  norm: number;
  clipped: number[][];
}

export interface ScheduleCase {
  total: number;
  ratio: number;
  warmup: number;
  multipliers: number[];
}

export interface Reference {
  adamw: AdamWCase[];
  clip: ClipCase[];
  schedule: ScheduleCase[];
  metrics: {
    classification: {
      pred: number[];
      gold: number[];
      numLabels: number;
      accuracy: number;
      f1Binary: number;
      f1Macro: number;
      matthews: number;
    }[];
    regression: { x: number[]; y: number[]; pearson: number; spearman: number }[];
  };
}

export const REF = JSON.parse(
  readFileSync(join(process.cwd(), 'test/fixtures/train/reference.json'), 'utf8'),
) as Reference;
