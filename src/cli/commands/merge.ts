/** `edora merge` and `edora export`: adapters into plain weights, or into plain PEFT formats. */
import type { Command } from 'commander';
import { exportAdapter, exportTargets } from '../../peft/export.js';
import { ignoredNotice } from '../../workflows/encoder-adapter.js';
import { mergeModelDir } from '../../workflows/merge.js';

export function register(program: Command): void {
  program
    .command('merge')
    .description('fold an adapter into the model weights and write a plain model directory')
    .requiredOption(
      '--model <dir>',
      'Hugging Face model directory (config.json + model.safetensors)',
    )
    .requiredOption(
      '--adapter <dir>',
      'adapter directory (adapter_config.json + adapter_model.safetensors)',
    )
    .requiredOption('--out <dir>', 'output model directory (must not exist or be empty)')
    .action((opts: { model: string; adapter: string; out: string }) => {
      const r = mergeModelDir(opts.model, opts.adapter, opts.out);
      if (r.ignored.length > 0) console.error(ignoredNotice('merge', r.ignored));
      console.error(
        `edora merge: ${r.adaptedModules} adapted modules merged; ${r.tensors} tensors → ${opts.out}`,
      );
    });

  program
    .command('export')
    .description(
      'write an adapter in a plain PEFT format (EDoRA → DoRA with lora_B = B·R; LoRA-XS → LoRA)',
    )
    .requiredOption('--adapter <dir>', 'adapter directory')
    .requiredOption(
      '--to <format>',
      [...exportTargets()].map(([to, from]) => `'${to}' (for ${from.join(', ')})`).join(' or '),
    )
    .requiredOption('--out <dir>', 'output adapter directory')
    .action((opts: { adapter: string; to: string; out: string }) => {
      const targets = [...exportTargets().keys()];
      if (!targets.includes(opts.to)) {
        throw new Error(
          `--to must be ${targets.map((t) => `'${t}'`).join(' or ')}, got '${opts.to}'`,
        );
      }
      const r = exportAdapter(opts.adapter, opts.to, opts.out);
      console.error(
        `edora export: ${r.method} adapter → ${opts.to}, ${r.tensors} tensors → ${opts.out}`,
      );
    });
}
