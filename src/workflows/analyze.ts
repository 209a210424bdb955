/**
 * `edora analyze`: DoRA's learning-pattern analysis (its Fig. 2). For each
 * run (full fine-tuning, LoRA, DoRA, EDoRA, … trained with
 * --keep-checkpoints) and each kept checkpoint, the checkpoint's adapter is
 * merged into the pretrained model (a full fine-tuning checkpoint holds every
 * weight as modules_to_save, and merging writes them in), and the chosen
 * layers' merged weights are compared with the pretrained ones: ΔM and ΔD
 * (weight-change.ts). Per method, the Pearson correlation and the
 * least-squares slope of ΔD on ΔM over all its (layer, checkpoint) points say
 * which way the two move together: the paper finds FT and DoRA negative,
 * LoRA positive.
 */
import { loadModel } from '../models/load.js';
import { resolveModel } from '../models/resolve.js';
import { loadUseLite } from '../models/use-lite/load.js';
import type { Tensor } from '../tensor/tensor.js';
import { listCheckpointSeries } from '../train/checkpoint-series.js';
import { pearson } from '../train/metrics.js';
import { loadAdaptedClassifier } from './adapted-model.js';
import { loadEncoderAdapter } from './encoder-adapter.js';
import { slope, weightChange } from './weight-change.js';

/**
 * DoRA's Fig. 2 looks at the query matrices. USE-Lite has no query matrix of
 * its own: its queries, keys and values are one fused `qkv` weight.
 */
export function defaultLayers(modelArg: string): string {
  return resolveModel(modelArg).kind === 'use-lite' ? 'qkv' : 'query';
}

export interface AnalyzedRun {
  /** The label the run was given (e.g. the method: lora, dora, full). */
  method: string;
  dir: string;
}

export interface LayerChange {
  layer: string;
  dM: number;
  dD: number;
}

export interface CheckpointChange {
  step: number;
  dir: string;
  layers: LayerChange[];
}

export interface RunAnalysis extends AnalyzedRun {
  checkpoints: CheckpointChange[];
  /** Pearson's r of ΔD against ΔM over every (layer, checkpoint) point (NaN if either is constant). */
  correlation: number;
  /** Least-squares slope of ΔD on ΔM over the same points. */
  slope: number;
}

export interface Analysis {
  model: string;
  /** The pattern the layers were chosen by, and the weights it chose. */
  pattern: string;
  layers: string[];
  runs: RunAnalysis[];
}

interface Weight {
  data: Float32Array;
  shape: [number, number];
}

function weightOf(t: Tensor): Weight {
  // A copy: the pretrained values must outlive their model.
  const data = Float32Array.from(t.data.subarray(t.offset, t.offset + t.size));
  return { data, shape: [t.shape[0]!, t.shape[1]!] };
}

/** The model's parameters: pretrained (`adapterDir` undefined) or with the adapter merged in. */
function modelParameters(modelArg: string, adapterDir?: string): Map<string, Tensor> {
  const source = resolveModel(modelArg);
  if (source.kind === 'use-lite') {
    const model = loadUseLite(source.path);
    if (adapterDir !== undefined) loadEncoderAdapter(model, adapterDir).peft.mergeAndUnload();
    return new Map(model.namedParameters());
  }
  if (adapterDir === undefined) return new Map(loadModel(modelArg).model.namedParameters());
  const merged = loadAdaptedClassifier(modelArg, adapterDir).peft!.mergeAndUnload();
  return new Map(merged.namedParameters());
}

/** The 2-D weights whose module path matches `pattern` (a regular expression). */
function chooseLayers(params: Map<string, Tensor>, pattern: string, modelArg: string): string[] {
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch (e) {
    throw new Error(
      `--layers '${pattern}': not a valid regular expression (${(e as Error).message})`,
    );
  }
  const matrices = [...params]
    .filter(([k, t]) => k.endsWith('.weight') && t.shape.length === 2)
    .map(([k]) => k);
  const chosen = matrices.filter((k) => re.test(k.slice(0, -'.weight'.length)));
  if (chosen.length === 0)
    throw new Error(
      `--layers '${pattern}': matches no 2-D weight of ${modelArg} (its modules include ${matrices
        .slice(0, 4)
        .map((k) => k.slice(0, -'.weight'.length))
        .join(', ')}, …)`,
    );
  return chosen;
}

/**
 * ΔM and ΔD of the chosen layers at every kept checkpoint of every run, and
 * per run the correlation and slope of ΔD on ΔM.
 */
export function analyzeRun(
  modelArg: string,
  runs: readonly AnalyzedRun[],
  pattern: string = defaultLayers(modelArg),
): Analysis {
  if (runs.length === 0) throw new Error('--runs: expected at least one method=DIR');
  // Every run's series is listed before the (slow) merging starts.
  const series = runs.map((r) => ({ run: r, checkpoints: listCheckpointSeries(r.dir) }));
  const base = modelParameters(modelArg);
  const layers = chooseLayers(base, pattern, modelArg);
  const pretrained = new Map(layers.map((k) => [k, weightOf(base.get(k)!)]));
  const analysed = series.map(({ run, checkpoints }): RunAnalysis => {
    const changes = checkpoints.map(({ step, dir }): CheckpointChange => {
      const merged = modelParameters(modelArg, dir);
      return {
        step,
        dir,
        layers: layers.map((layer) => {
          const w0 = pretrained.get(layer)!;
          const t = merged.get(layer);
          if (!t || t.shape[0] !== w0.shape[0] || t.shape[1] !== w0.shape[1])
            throw new Error(
              `${dir}: the merged model has no ${layer} of the pretrained one's shape`,
            );
          return {
            layer,
            ...weightChange(w0.data, weightOf(t).data, w0.shape, `${dir}: ${layer}`),
          };
        }),
      };
    });
    const points = changes.flatMap((c) => c.layers);
    const dM = points.map((p) => p.dM);
    const dD = points.map((p) => p.dD);
    return {
      ...run,
      checkpoints: changes,
      correlation: points.length < 2 ? Number.NaN : pearson(dM, dD),
      slope: points.length < 2 ? Number.NaN : slope(dM, dD),
    };
  });
  return { model: modelArg, pattern, layers, runs: analysed };
}
