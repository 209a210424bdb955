/**
 * A method's trainable parameters as a multiple of LoRA's, the paper's way of
 * stating what a method saves. `edora bench` and `edora study` print it alike.
 */

/** Two decimals, or two significant figures below 0.1 (EDoRA's 0.084×, the probe's 0.0086×). */
export function formatLoraRatio(ratio: number): string {
  return `${ratio < 0.1 ? ratio.toPrecision(2) : ratio.toFixed(2)}×`;
}
