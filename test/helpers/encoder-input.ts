/** An EncoderInput from a fixture case of test/fixtures/models/expected.json (rows of token ids). */
import type { EncoderInput } from '../../src/models/bert.js';

export interface EncoderCase {
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids: number[][];
}

export function encoderInput(c: EncoderCase): EncoderInput {
  return {
    inputIds: Int32Array.from(c.input_ids.flat()),
    attentionMask: Uint8Array.from(c.attention_mask.flat()),
    tokenTypeIds: Int32Array.from(c.token_type_ids.flat()),
    batch: c.input_ids.length,
    seqLen: c.input_ids[0]!.length,
  };
}
