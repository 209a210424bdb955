/**
 * Running the built `edora` command from a test: the spawn every CLI test
 * uses, and the flags of a run on a model directory and one's own data files.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';

/** `node bin/edora.js ...args` from the repository root, output as text. */
export function edora(...args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['bin/edora.js', ...args], { encoding: 'utf8' });
}

/** `--model M --train T --validation V --test X`: validation and test default to the file before. */
export function ownDataFlags(
  model: string,
  train: string,
  validation: string = train,
  test: string = validation,
): string[] {
  return ['--model', model, '--train', train, '--validation', validation, '--test', test];
}
