/**
 * An exact check for near-duplicates across splits, independent of the
 * MinHash code under test: word 5-grams (as strings, then numbered) and the
 * prefix filter of all-pairs similarity search (Bayardo et al. 2007). Order
 * each set's shingles rarest first; two sets with Jaccard ≥ t must share a
 * shingle among the first |x| − ⌈t·|x|⌉ + 1 of each, so only pairs sharing a
 * prefix shingle need the exact Jaccard.
 */
function shingles(text: string): string[] {
  const words = (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 400);
  if (words.length < 5) return words.length > 0 ? [words.join(' ')] : [];
  const out = new Set<string>();
  for (let i = 0; i + 5 <= words.length; i++) out.add(words.slice(i, i + 5).join(' '));
  return [...out];
}

export interface CrossDuplicate {
  split: [number, number];
  item: [number, number];
  jaccard: number;
}

/** Every pair of texts from two different splits whose shingle sets have Jaccard ≥ `t`. */
export function crossDuplicates(splits: readonly (readonly string[])[], t = 0.8): CrossDuplicate[] {
  const ids = new Map<string, number>();
  const number = (s: string) => {
    const id = ids.get(s);
    if (id !== undefined) return id;
    ids.set(s, ids.size);
    return ids.size - 1;
  };
  const sets = splits.map((texts) => texts.map((text) => shingles(text).map(number)));
  const frequency = new Int32Array(ids.size);
  for (const split of sets) for (const set of split) for (const id of set) frequency[id]!++;
  const found: CrossDuplicate[] = [];
  const index = new Map<number, [number, number][]>(); // shingle → (split, item) whose prefix has it
  sets.forEach((split, s) => {
    const prefixes = split.map((set) =>
      [...set]
        .sort((x, y) => frequency[x]! - frequency[y]! || x - y)
        .slice(0, set.length - Math.ceil(t * set.length) + 1),
    );
    // Look up against the earlier splits first, then add this split's prefixes.
    prefixes.forEach((prefix, i) => {
      const mine = new Set(split[i]!);
      const seen = new Set<string>();
      for (const id of prefix) {
        for (const [os, oi] of index.get(id) ?? []) {
          const key = `${os}:${oi}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const other = sets[os]![oi]!;
          let shared = 0;
          for (const x of other) if (mine.has(x)) shared++;
          const jaccard = shared / (other.length + mine.size - shared);
          if (jaccard >= t) found.push({ split: [os, s], item: [oi, i], jaccard });
        }
      }
    });
    prefixes.forEach((prefix, i) => {
      for (const id of prefix) {
        const list = index.get(id);
        if (list === undefined) index.set(id, [[s, i]]);
        else list.push([s, i]);
      }
    });
  });
  return found;
}
