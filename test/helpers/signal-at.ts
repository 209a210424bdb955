/**
 * Preloaded into a CLI child (`node --import <this file> bin/edora.js …`) to
 * deliver a signal at an exact point of the run instead of after a delay, so
 * that kill-and-resume tests cannot race the run to its end on a slow machine.
 *
 *   EDORA_TEST_SIGNAL        the signal: SIGKILL (a crash) or SIGINT (Ctrl-C)
 *   EDORA_TEST_SIGNAL_ON     a regular expression: the signal is raised just
 *                            after the first appendFileSync/writeSync whose
 *                            text matches it (a log record, an output line),
 *                            or after the first readFileSync or openSync of a
 *                            path that matches it (a model file)
 *   EDORA_TEST_SIGNAL_AGAIN  a regular expression: once the process has
 *                            printed matching text on stderr, SIGINT is raised
 *                            again at the next renameSync, before it renames
 *                            (a second Ctrl-C while a checkpoint is written)
 *
 * A signal a process sends itself is delivered before kill() returns, so
 * SIGKILL stops the run right there; a handled SIGINT runs its listener at the
 * next turn of the event loop, as a real Ctrl-C would.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const signal = process.env['EDORA_TEST_SIGNAL'] as NodeJS.Signals | undefined;
const on = process.env['EDORA_TEST_SIGNAL_ON'];
const again = process.env['EDORA_TEST_SIGNAL_AGAIN'];

if (signal && on) {
  const trigger = new RegExp(on);
  let raised = false;
  const check = (data: unknown): void => {
    if (raised) return;
    // Text, or small byte chunks of text (streamed output lines); large binary
    // writes (tensors) are never what a test waits for.
    const text =
      typeof data === 'string'
        ? data
        : data instanceof Uint8Array && data.length <= 1 << 20
          ? Buffer.from(data.buffer, data.byteOffset, data.length).toString('utf8')
          : null;
    if (text !== null && trigger.test(text)) {
      raised = true;
      process.kill(process.pid, signal);
    }
  };
  const append = fs.appendFileSync;
  fs.appendFileSync = ((...args: Parameters<typeof append>) => {
    append(...args);
    check(args[1]);
  }) as typeof append;
  const write = fs.writeSync;
  fs.writeSync = ((...args: unknown[]) => {
    const n = (write as (...a: unknown[]) => number)(...args);
    check(args[1]);
    return n;
  }) as typeof write;
  // Opening a file counts as reading it (the input reader opens, checks, then reads).
  const open = fs.openSync;
  fs.openSync = ((...args: Parameters<typeof open>) => {
    const fd = open(...args);
    check(String(args[0]));
    return fd;
  }) as typeof open;
  const read = fs.readFileSync;
  fs.readFileSync = ((...args: Parameters<typeof read>) => {
    const content = read(...args);
    check(String(args[0]));
    return content;
  }) as typeof read;
}

if (again) {
  const notice = new RegExp(again);
  let seen = false;
  let raised = false;
  const stderrWrite = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (notice.test(String(chunk))) seen = true;
    return (stderrWrite as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  const rename = fs.renameSync;
  fs.renameSync = ((...args: Parameters<typeof rename>) => {
    if (seen && !raised) {
      raised = true;
      process.kill(process.pid, 'SIGINT');
    }
    rename(...args);
  }) as typeof rename;
}

syncBuiltinESMExports();
