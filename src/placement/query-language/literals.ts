/** Parsing of typed arguments: dates (registeredAt), agent versions, booleans, counts. */

const DAY_MS = 86_400_000;
const DATE_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Parses the registeredAt formats AWS documents (2018-06-18T22:28:28+00:00, 2018-06-18T22:28:28Z,
 * 2018-06-18T22:28:28, 2018-06-18), plus fractional seconds. A value stands for the span of its
 * precision: a day, a second, or a millisecond; times without an offset are UTC.
 * Returns `[from, to)` in epoch milliseconds, or undefined when the text is not such a date.
 */
export function parseDateSpan(text: string): { from: number; to: number } | undefined {
  const m = DATE_RE.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, offset] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (h === undefined) {
    const from = Date.UTC(year, month - 1, day);
    return { from, to: from + DAY_MS };
  }
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let from = Date.UTC(year, month - 1, day, hour, minute, second);
  let span = 1000;
  if (frac !== undefined) {
    from += Math.floor(Number(`0.${frac}`) * 1000);
    span = 1;
  }
  if (offset !== undefined && offset !== 'Z') {
    const sign = offset.startsWith('-') ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2));
    if (oh > 23 || om > 59) return undefined;
    from -= sign * (oh * 60 + om) * 60_000;
  }
  return { from, to: from + span };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `1.14.5` -> [1, 14, 5]; an optional leading `v` is allowed. */
export function parseVersion(text: string): number[] | undefined {
  if (!/^v?\d+(\.\d+)*$/.test(text)) return undefined;
  return text.replace(/^v/, '').split('.').map(Number);
}

/** Compares versions segment by segment; missing segments count as 0 (1.14 == 1.14.0). */
export function compareVersions(a: readonly number[], b: readonly number[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function parseBoolean(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  return undefined;
}

export function parseCount(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}
