/**
 * Where `npm run fetch:tinyllama` puts TinyLlama-1.1B-Chat (IQ2_XXS GGUF),
 * and the reason to skip a test when it is not there.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const TINYLLAMA_FILE = 'tinyllama-1.1b-chat-v1.0.IQ2_XXS.gguf';

export function tinyllamaPath(): string {
  const dir = process.env.EDORA_TINYLLAMA_CACHE ?? join(homedir(), '.cache/edora/tinyllama');
  return join(dir, TINYLLAMA_FILE);
}

/**
 * false when the model is present, else the message node:test prints for a
 * skipped test. EDORA_REQUIRE_TINYLLAMA=1 (for CI, as EDORA_REQUIRE_GRAIN)
 * turns a missing model into a failure instead: the test then runs and the
 * reader names the missing file.
 */
export function skipWithoutTinyllama(): string | false {
  return existsSync(tinyllamaPath()) || process.env['EDORA_REQUIRE_TINYLLAMA'] === '1'
    ? false
    : `${tinyllamaPath()} is missing: run \`npm run fetch:tinyllama\` to run this test`;
}
