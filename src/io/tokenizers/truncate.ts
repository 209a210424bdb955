/**
 * Longest-first truncation of a sequence or a pair, as Hugging Face `tokenizers`
 * (utils/truncation.rs, the rule every fast tokenizer uses) computes it. `budget` is the room
 * left once the special tokens are counted. Returns the lengths to keep.
 */
export function longestFirstLengths(
  n1: number,
  n2: number | undefined,
  budget: number,
): [number, number] {
  if (n2 === undefined) return [Math.min(n1, budget), 0];
  if (n1 + n2 <= budget) return [n1, n2];
  // With a the shorter and b the longer: keep a whole and cut b to the rest when that leaves
  // b at least as long as a; otherwise split the budget, the odd token going to b.
  const swap = n1 > n2;
  let a = swap ? n2 : n1;
  let b = a > budget ? a : Math.max(a, budget - a);
  if (a + b > budget) {
    a = Math.floor(budget / 2);
    b = a + (budget % 2);
  }
  const [k1, k2] = swap ? [b, a] : [a, b];
  return [Math.min(k1, n1), Math.min(k2, n2)];
}
