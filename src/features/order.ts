// Where feature sessions go in lists: right under their base.

/**
 * Pure: `items` (already in display order) with every `base@feature` moved
 * to just after its base, features of one base in their original order. A
 * feature whose base is not in the list keeps its place.
 */
export function featuresUnderBases<T extends { name: string }>(items: readonly T[]): T[] {
  const names = new Set(items.map((i) => i.name));
  const byBase = new Map<string, T[]>();
  for (const i of items) {
    const at = i.name.indexOf('@');
    if (at > 0 && names.has(i.name.slice(0, at))) {
      const base = i.name.slice(0, at);
      byBase.set(base, [...(byBase.get(base) ?? []), i]);
    }
  }
  const out: T[] = [];
  for (const i of items) {
    const at = i.name.indexOf('@');
    if (at > 0 && names.has(i.name.slice(0, at))) continue;
    out.push(i, ...(byBase.get(i.name) ?? []));
  }
  return out;
}
