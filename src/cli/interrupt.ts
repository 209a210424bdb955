/**
 * Ctrl-C for long commands: the first asks the work to stop at its next safe
 * point (after a training step, between batches); the second ends the
 * process at once.
 *
 * The second Ctrl-C must work even while a long synchronous computation (an
 * evaluation, a model load) holds the event loop, and there no JavaScript
 * handler can run. So the first one removes the handler, which gives SIGINT
 * back its default action: the kernel ends the process on the next one, and
 * the shell reports exit status 130. What must survive that (a checkpoint, an
 * output file) is written under a temporary name and renamed into place.
 */

export interface Interrupt {
  /** True once Ctrl-C was pressed. */
  readonly requested: boolean;
  /** Stop listening (the work is over); SIGINT gets its default action back. */
  dispose(): void;
}

/** Listen for Ctrl-C; `onFirst` runs at the first one (to say what happens next). */
export function catchInterrupt(onFirst: () => void): Interrupt {
  let requested = false;
  const handler = (): void => {
    requested = true;
    process.off('SIGINT', handler);
    onFirst();
  };
  process.on('SIGINT', handler);
  return {
    get requested() {
      return requested;
    },
    dispose: () => {
      process.off('SIGINT', handler);
    },
  };
}
