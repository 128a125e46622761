import type { Page, PageRequest } from '../types.js';

/** Rows fetched with LIMIT page.limit + 1: the extra row only says whether another page follows. */
export function pageOf<Row, T>(rows: Row[], page: PageRequest, toItem: (row: Row) => T, cursorOf: (row: Row) => string): Page<T> {
  const more = rows.length > page.limit;
  const kept = more ? rows.slice(0, page.limit) : rows;
  const last = kept[kept.length - 1];
  return { items: kept.map(toItem), ...(more && last !== undefined ? { next: cursorOf(last) } : {}) };
}

export function seqAfter(page: PageRequest): number {
  const after = page.after === undefined ? 0 : Number(page.after);
  return Number.isSafeInteger(after) ? after : 0;
}
