/**
 * `show stat`: one CSV row per frontend, backend and server, with a header naming the columns.
 * Parsed by column name, so that a haproxy that adds columns does not shift the ones read here.
 */

export interface StatRow {
  proxy: string;
  /** FRONTEND, BACKEND, or the server's name. */
  service: string;
  fields: ReadonlyMap<string, string>;
}

export function parseShowStat(csv: string): StatRow[] {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  const header = lines.shift();
  if (header === undefined || !header.startsWith('# ')) return [];
  const columns = header.slice(2).split(',');
  return lines.map((line) => {
    const values = line.split(',');
    const fields = new Map(columns.map((c, i) => [c, values[i] ?? '']));
    return { proxy: fields.get('pxname') ?? '', service: fields.get('svname') ?? '', fields };
  });
}

export function numberField(row: StatRow, column: string): number {
  const value = Number(row.fields.get(column) ?? '');
  return Number.isFinite(value) ? value : 0;
}

export function textField(row: StatRow, column: string): string {
  return row.fields.get(column) ?? '';
}

export function isServerRow(row: StatRow): boolean {
  return row.service !== 'FRONTEND' && row.service !== 'BACKEND';
}
