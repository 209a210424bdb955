/** Parsing numeric command-line options: one clear error naming the flag. */
import type { Command } from 'commander';
import type { Default } from '../config/defaults.js';

export function positiveInt(
  flag: string,
  value: string | number | undefined,
  allowZero = false,
): number {
  const n = Number(value);
  if (value === undefined || value === '' || !Number.isSafeInteger(n) || n < (allowZero ? 0 : 1)) {
    throw new Error(
      `${flag} must be ${allowZero ? 'a non-negative' : 'a positive'} integer, got '${String(value)}'`,
    );
  }
  return n;
}

export function numberOption(flag: string, value: string | number | undefined): number {
  const n = Number(value);
  if (value === undefined || value === '' || !Number.isFinite(n) || n < 0) {
    throw new Error(`${flag} must be a non-negative number, got '${String(value)}'`);
  }
  return n;
}

/** A fraction such as --warmup-ratio: a number in [0, 1]. */
export function ratioOption(flag: string, value: string | number | undefined): number {
  const n = Number(value);
  if (value === undefined || value === '' || !(n >= 0 && n <= 1)) {
    throw new Error(`${flag} must be a number in [0, 1], got '${String(value)}'`);
  }
  return n;
}

/** A flag whose default and help text come from DEFAULTS (a list default is comma-separated). */
export function withDefault(
  cmd: Command,
  flags: string,
  setting: Default<string | number | readonly string[]>,
  help: string = setting.help,
): Command {
  const { value } = setting;
  return cmd.option(flags, help, typeof value === 'object' ? value.join(',') : String(value));
}
