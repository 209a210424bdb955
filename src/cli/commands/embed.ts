/**
 * `edora embed`: sentence embeddings of each line of a text file, written as
 * JSON lines `{"text": …, "embedding": […]}` (atomically: temp file + rename).
 */
import type { Command } from 'commander';
import { noGrad } from '../../autograd/tape.js';
import { readUtf8File } from '../../data/text-file.js';
import { openAtomicFile } from '../../io/atomic.js';
import { firstNonFinite } from '../../io/finite.js';
import { resolveModel } from '../../models/resolve.js';
import { loadUseLite } from '../../models/use-lite/load.js';
import type { UseLiteModel } from '../../models/use-lite/model.js';
import { ignoredNotice, loadEncoderAdapter } from '../../workflows/encoder-adapter.js';
import { catchInterrupt } from '../interrupt.js';
import { positiveInt } from '../options.js';

export interface EmbedOptions {
  model: string;
  adapter?: string;
  input: string;
  out: string;
  batchSize?: string | number;
}

export function register(program: Command): void {
  program
    .command('embed')
    .description(
      'embed each line of a text file with a sentence encoder; one JSON line per input line',
    )
    .requiredOption(
      '--model <name|dir>',
      "'use-lite', or a TF.js USE-Lite directory (model.json, shards, vocab.json)",
    )
    .option('--adapter <dir>', 'apply a trained adapter directory (PEFT format)')
    .requiredOption('--input <file>', 'UTF-8 text, one input per line')
    .requiredOption('--out <file>', 'output .jsonl: {"text": …, "embedding": […]} per line')
    .option('--batch-size <n>', 'inputs per forward pass', '32')
    .action(async (opts: EmbedOptions) => {
      const interrupt = catchInterrupt(() => {
        console.error('edora embed: stopping after this batch; press Ctrl-C again to quit at once');
      });
      let result: Awaited<ReturnType<typeof runEmbed>>;
      try {
        result = await runEmbed(opts, () => interrupt.requested);
      } finally {
        interrupt.dispose();
      }
      if (result.interrupted) {
        console.error(`edora embed: interrupted; nothing written to ${opts.out}`);
        process.exitCode = 130;
        return;
      }
      const { count, seconds, ignored } = result;
      if (ignored.length > 0) console.error(ignoredNotice('embed', ignored));
      console.error(
        `edora embed: ${count} line${count === 1 ? '' : 's'} → ${opts.out} (${seconds.toFixed(1)} s)`,
      );
    });
}

/**
 * The work behind `edora embed`; throws one clear line on bad input. Between
 * batches it lets Ctrl-C in: when `shouldStop` says so it stops and removes
 * the temporary file, leaving `out` as it was.
 */
export async function runEmbed(
  opts: EmbedOptions,
  shouldStop: () => boolean = () => false,
): Promise<{
  count: number;
  seconds: number;
  interrupted: boolean;
  /** The adapter's modules_to_save entries the encoder has no use for (its head). */
  ignored: string[];
}> {
  const start = performance.now();
  const batchSize = positiveInt('--batch-size', opts.batchSize ?? 32);
  const lines = readLines(opts.input);
  const model = loadModel(opts.model);
  const ignored = opts.adapter === undefined ? [] : loadEncoderAdapter(model, opts.adapter).ignored;
  // Streamed batch by batch into a temporary file renamed into place at the
  // end; a failed write (a full disk) names the file, and a failure or a
  // Ctrl-C leaves nothing behind.
  const file = openAtomicFile(opts.out);
  let interrupted = false;
  try {
    for (let i = 0; i < lines.length; i += batchSize) {
      // Let a Ctrl-C be seen (its handler runs on the event loop).
      await new Promise((resolve) => setImmediate(resolve));
      if (shouldStop()) {
        interrupted = true;
        break;
      }
      const texts = lines.slice(i, i + batchSize);
      const y = noGrad(() => model.embed(texts).toArray());
      const d = model.outputDim;
      // Finite weights can still overflow float32 on the way (huge adapter values).
      const bad = firstNonFinite(y);
      if (bad >= 0) {
        throw new Error(
          `--input line ${i + Math.floor(bad / d) + 1}: the model computes a non-finite embedding (${y[bad]}); its weights or the adapter's overflow float32`,
        );
      }
      const chunk = texts
        .map((text, r) => JSON.stringify({ text, embedding: y.slice(r * d, (r + 1) * d) }))
        .join('\n');
      file.append(Buffer.from(`${chunk}\n`, 'utf8'));
    }
  } catch (err) {
    file.abort();
    throw err;
  }
  if (interrupted) file.abort();
  else file.commit();
  return { count: lines.length, seconds: (performance.now() - start) / 1000, interrupted, ignored };
}

function loadModel(name: string): UseLiteModel {
  return loadUseLite(resolveModel(name, { expect: 'use-lite' }).path);
}

/** Lines of a UTF-8 file; a final newline does not make an extra empty line. */
function readLines(path: string): string[] {
  const text = readUtf8File(path, `--input ${path}`);
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
