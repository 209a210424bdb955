/** Loading saved values into an adapter's named tensors, shape-checked: what every method's loadTensors does. */
import { formatShape, type Tensor } from '../tensor/tensor.js';

/**
 * Copy each of `sources` into the tensor of the same name in `targets`, in
 * place (layers that share a tensor see the new values). Every target must
 * have a source of its shape; errors read `<where>: tensor '<keyPrefix><key>' …`.
 */
export function copyNamedTensors(
  targets: ReadonlyMap<string, Tensor>,
  sources: ReadonlyMap<string, Tensor>,
  where: string,
  keyPrefix = '',
): void {
  for (const [key, target] of targets) {
    const src = sources.get(key);
    if (!src) throw new Error(`${where}: missing tensor '${keyPrefix}${key}'`);
    if (src.shape.join() !== target.shape.join()) {
      throw new Error(
        `${where}: tensor '${keyPrefix}${key}' has shape ${formatShape(src.shape)}, the model expects ${formatShape(target.shape)}`,
      );
    }
  }
  for (const [key, target] of targets) {
    const src = sources.get(key)!;
    target.data.set(src.isDense() ? src.data : src.toArray(), target.offset);
  }
}
