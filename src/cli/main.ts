/** The `edora` command. */
import { Command, CommanderError } from 'commander';
import { register as registerAnalyze } from './commands/analyze.js';
import { register as registerBench } from './commands/bench.js';
import { register as registerEmbed } from './commands/embed.js';
import { register as registerMerge } from './commands/merge.js';
import { register as registerParams } from './commands/params.js';
import { register as registerPredict } from './commands/predict.js';
import { register as registerStudy } from './commands/study.js';
import { registerEval, register as registerTrain } from './commands/train.js';
import { doctor, formatDoctor } from './doctor.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('edora')
    .description(
      'Parameter-efficient fine-tuning (EDoRA, DoRA, LoRA, LoRA-XS, …) of transformers on the CPU',
    )
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('doctor')
    .description(
      'show the compute backend, BLAS library, threads and cores, and a one-second GEMM probe',
    )
    .option('--json', 'print the report as one JSON object')
    .action((opts: { json?: boolean }) => {
      const report = doctor();
      console.log(opts.json ? JSON.stringify(report) : formatDoctor(report));
    });

  for (const register of [
    registerTrain,
    registerEval,
    registerBench,
    registerStudy,
    registerParams,
    registerPredict,
    registerEmbed,
    registerMerge,
    registerAnalyze,
  ])
    register(program);
  return program;
}

/** Run the CLI; usage errors exit with code 2 after one clear line. */
export async function main(argv: string[] = process.argv): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    // Bad input of any kind: one line, exit code 2 (EDORA_DEBUG=1 shows the stack).
    console.error(`edora: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env['EDORA_DEBUG'] === '1' && err instanceof Error) console.error(err.stack);
    process.exitCode = 2;
  }
}
