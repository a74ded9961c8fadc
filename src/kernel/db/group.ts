/**
 * Rows grouped by a key, each group in the rows' order: how a page of parents meets the child
 * rows read for all of them in one query (one pass, not a filter per parent).
 */
export function groupBy<T, K>(rows: readonly T[], key: (row: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const row of rows) {
    const group = groups.get(key(row));
    if (group) group.push(row);
    else groups.set(key(row), [row]);
  }
  return groups;
}
