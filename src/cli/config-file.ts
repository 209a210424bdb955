/**
 * `--config FILE`: a command's settings from a JSON or YAML file, as MLX-LM's
 * `--config` and the Hugging Face Trainer's argument files offer. The keys
 * are the command's long flag names as typed on the command line
 * (kebab-case: `grad-accum`, `max-steps`), so `edora <command> --help` lists
 * them. A flag given on the command line wins over the file, and the file
 * over the default. The values go through the same checks as the flags'.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Command, Option } from 'commander';
import { parse as parseYaml } from 'yaml';

export function configOption(cmd: Command): Command {
  return cmd
    .option(
      '--config <file>',
      'settings from a JSON or YAML file, keyed by the long flag names (e.g. batch-size: 8); flags on the command line win',
    )
    .hook('preAction', (_command, action) => applyConfigFile(action));
}

/** Reads the file named by --config (if any) into the command's options it did not get as flags. */
export function applyConfigFile(cmd: Command): void {
  const path = cmd.getOptionValue('config') as string | undefined;
  if (path === undefined) return;
  const options = new Map(
    cmd.options
      .filter((o) => o.long !== undefined && o.long !== '--config')
      .map((o) => [o.long!.slice(2), o]),
  );
  for (const [key, value] of Object.entries(readConfigFile(path))) {
    const option = options.get(key);
    if (!option) throw new Error(`${path}: ${unknownKey(key, cmd.name(), [...options.keys()])}`);
    const name = option.attributeName();
    if (cmd.getOptionValueSource(name) === 'cli') continue;
    cmd.setOptionValueWithSource(name, optionValue(path, key, option, value), 'config');
  }
}

function unknownKey(key: string, command: string, known: string[]): string {
  const kebab = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  if (kebab !== key && known.includes(kebab))
    return `unknown key '${key}' (did you mean '${kebab}'?)`;
  return `unknown key '${key}' (expected a flag name of edora ${command}: ${known.join(', ')})`;
}

/** The value as commander holds it: a switch's boolean, otherwise the text typed after the flag. */
function optionValue(path: string, key: string, option: Option, value: unknown): string | boolean {
  const shown = JSON.stringify(value);
  if (option.isBoolean()) {
    if (typeof value !== 'boolean')
      throw new Error(`${path}: '${key}' is a switch: true or false, got ${shown}`);
    return value;
  }
  if (typeof value === 'number' || typeof value === 'string') return String(value);
  // A list flag (--tasks, --methods, --target) also takes a list.
  if (option.flags.endsWith('<names>')) {
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(',');
    throw new Error(`${path}: '${key}' must be a string or a list, got ${shown}`);
  }
  throw new Error(`${path}: '${key}' must be a number or a string, got ${shown}`);
}

/** The file's top-level mapping; one line naming the file when it cannot be read or parsed. */
export function readConfigFile(path: string): Record<string, unknown> {
  const ext = extname(path).toLowerCase();
  const yaml = ext === '.yaml' || ext === '.yml';
  if (!yaml && ext !== '.json') throw new Error(`${path}: expected a .json, .yaml or .yml file`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${path}: cannot read the config file (${code ?? (e as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = yaml ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    // YAML's messages carry a code frame on the lines below the first.
    const why = (e as Error).message.split('\n')[0]!.trim();
    throw new Error(`${path}: not valid ${yaml ? 'YAML' : 'JSON'} (${why})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    const got = Array.isArray(raw) ? 'a list' : raw === null ? 'nothing' : JSON.stringify(raw);
    throw new Error(`${path}: expected a mapping of flag names to values, got ${got}`);
  }
  return raw as Record<string, unknown>;
}
