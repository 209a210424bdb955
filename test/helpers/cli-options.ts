/** What commander hands a command's action, without running the action (no training, no files). */
import assert from 'node:assert/strict';
import { buildProgram } from '../../src/cli/main.js';

/** The options `edora <argv>` would hand its action; rejects as the CLI would on bad input. */
export async function parsedOptions<T>(argv: string[]): Promise<T> {
  const program = buildProgram();
  const cmd = program.commands.find((c) => c.name() === argv[0])!;
  let captured: T | undefined;
  cmd.action((opts: T) => {
    captured = opts;
  });
  await program.parseAsync(argv, { from: 'user' });
  assert.ok(captured, `${argv[0]}: the action did not run`);
  return captured;
}
