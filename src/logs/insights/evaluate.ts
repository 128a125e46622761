/**
 * Runs a parsed Logs Insights query over log events: each event becomes a record of its system
 * fields (@timestamp, @message, @logStream, @log, @ingestionTime) and, for a JSON message, its
 * fields flattened with dots (`user.id`, `items.0.sku`); the commands then run in order.
 */
import type { Command, Expr, Projection, Query, Statistic } from './ast.js';

export type Value = string | number | boolean | null | undefined;
export type InsightsRecord = Map<string, Value>;

export interface SourceEvent {
  timestamp: number;
  message: string;
  stream: string;
  group: string;
  ingestionTime: number;
}

function flatten(value: unknown, prefix: string, into: InsightsRecord): void {
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? `${prefix}.${key}` : key, into);
  } else if (prefix) into.set(prefix, value as Value);
}

export function recordOf(event: SourceEvent): InsightsRecord {
  const record: InsightsRecord = new Map();
  const trimmed = event.message.trimStart();
  if (trimmed.startsWith('{')) {
    try {
      flatten(JSON.parse(event.message), '', record);
    } catch {
      // Not JSON after all: the message alone.
    }
  }
  record.set('@timestamp', event.timestamp);
  record.set('@message', event.message);
  record.set('@logStream', event.stream);
  record.set('@log', event.group);
  record.set('@ingestionTime', event.ingestionTime);
  return record;
}

const asNumber = (value: Value): number | undefined => {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  return undefined;
};

function compare(left: Value, right: Value): number | undefined {
  if (left === undefined || left === null || right === undefined || right === null) return undefined;
  const a = asNumber(left);
  const b = asNumber(right);
  if (a !== undefined && b !== undefined) return a - b;
  const x = String(left);
  const y = String(right);
  return x < y ? -1 : x > y ? 1 : 0;
}

const truthy = (value: Value) => value !== undefined && value !== null && value !== false && value !== 0 && value !== '';

export function evaluate(expr: Expr, record: InsightsRecord): Value {
  switch (expr.kind) {
    case 'field':
      return record.get(expr.name);
    case 'literal':
      return expr.value;
    case 'regex':
      return expr.regex.source;
    case 'not':
      return !truthy(evaluate(expr.expr, record));
    case 'negate': {
      const value = asNumber(evaluate(expr.expr, record));
      return value === undefined ? undefined : -value;
    }
    case 'call': {
      const [first] = expr.args;
      switch (expr.name) {
        case 'bin': {
          const period = (first as { value: number }).value;
          const at = asNumber(record.get('@timestamp'));
          return at === undefined ? undefined : Math.floor(at / period) * period;
        }
        case 'ispresent':
          return first ? evaluate(first, record) !== undefined : false;
        case 'strlen': {
          const value = first ? evaluate(first, record) : undefined;
          return value === undefined || value === null ? undefined : String(value).length;
        }
        case 'tolower':
        case 'toupper': {
          const value = first ? evaluate(first, record) : undefined;
          if (value === undefined || value === null) return value;
          return expr.name === 'tolower' ? String(value).toLowerCase() : String(value).toUpperCase();
        }
        default:
          return undefined;
      }
    }
    case 'binary': {
      if (expr.op === 'and') return truthy(evaluate(expr.left, record)) && truthy(evaluate(expr.right, record));
      if (expr.op === 'or') return truthy(evaluate(expr.left, record)) || truthy(evaluate(expr.right, record));
      const left = evaluate(expr.left, record);
      if (expr.op === 'like' || expr.op === '=~') {
        if (left === undefined || left === null) return false;
        if (expr.right.kind === 'regex') return expr.right.regex.found(String(left));
        const right = evaluate(expr.right, record);
        return right !== undefined && right !== null && String(left).includes(String(right));
      }
      const right = evaluate(expr.right, record);
      if (['+', '-', '*', '/', '%'].includes(expr.op)) {
        const a = asNumber(left);
        const b = asNumber(right);
        if (a === undefined || b === undefined) return undefined;
        switch (expr.op) {
          case '+':
            return a + b;
          case '-':
            return a - b;
          case '*':
            return a * b;
          case '/':
            return b === 0 ? undefined : a / b;
          default:
            return b === 0 ? undefined : a % b;
        }
      }
      const order = compare(left, right);
      if (order === undefined) return expr.op === '!=' ? left !== right : false;
      switch (expr.op) {
        case '=':
          return order === 0;
        case '!=':
          return order !== 0;
        case '<':
          return order < 0;
        case '<=':
          return order <= 0;
        case '>':
          return order > 0;
        default:
          return order >= 0;
      }
    }
  }
}

function aggregate(statistic: Statistic, records: readonly InsightsRecord[]): Value {
  if (statistic.fn === 'count') return statistic.arg ? records.filter((record) => evaluate(statistic.arg as Expr, record) !== undefined).length : records.length;
  const values = records.map((record) => evaluate(statistic.arg as Expr, record)).filter((value) => value !== undefined && value !== null);
  if (statistic.fn === 'count_distinct') return new Set(values.map(String)).size;
  const numbers = values.map(asNumber).filter((value): value is number => value !== undefined);
  if (numbers.length === 0) return statistic.fn === 'sum' ? 0 : undefined;
  switch (statistic.fn) {
    case 'sum':
      return numbers.reduce((a, b) => a + b, 0);
    case 'avg':
      return numbers.reduce((a, b) => a + b, 0) / numbers.length;
    case 'min':
      return Math.min(...numbers);
    case 'max':
      return Math.max(...numbers);
    default: {
      // Nearest rank: the smallest value with at least p% of the values at or below it.
      const sorted = [...numbers].sort((a, b) => a - b);
      const rank = Math.max(1, Math.ceil(((statistic.percentile as number) / 100) * sorted.length));
      return sorted[rank - 1];
    }
  }
}

/** The result columns holding times: shown as Insights shows them, `2026-12-05 00:05:00.000`. */
const isTimeExpr = (expr: Expr) => (expr.kind === 'field' && (expr.name === '@timestamp' || expr.name === '@ingestionTime')) || (expr.kind === 'call' && expr.name === 'bin');

export interface QueryOutput {
  /** Rows of (column, value), values as strings as GetQueryResults answers them. */
  rows: { field: string; value: string }[][];
  recordsMatched: number;
}

export const formatTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

function project(records: InsightsRecord[], projections: readonly Projection[]): { records: InsightsRecord[]; columns: string[]; times: Set<string> } {
  const times = new Set(projections.filter((projection) => isTimeExpr(projection.expr)).map((projection) => projection.name));
  for (const record of records) for (const projection of projections) record.set(projection.name, evaluate(projection.expr, record));
  return { records, columns: projections.map((projection) => projection.name), times };
}

export function runQuery(query: Query, events: Iterable<SourceEvent>, defaultLimit = 10_000): QueryOutput {
  let records: InsightsRecord[] = [];
  for (const event of events) records.push(recordOf(event));
  let columns: string[] | undefined;
  const times = new Set<string>(['@timestamp', '@ingestionTime']);
  let sorted = false;
  let limit = defaultLimit;
  let matched: number | undefined;
  for (const command of query.commands as Command[]) {
    switch (command.kind) {
      case 'fields': {
        const projected = project(records, command.projections);
        columns = [...(columns ?? []), ...projected.columns.filter((column) => !(columns ?? []).includes(column))];
        for (const time of projected.times) times.add(time);
        break;
      }
      case 'display': {
        const projected = project(records, command.projections);
        columns = projected.columns;
        for (const time of projected.times) times.add(time);
        break;
      }
      case 'filter':
        records = records.filter((record) => truthy(evaluate(command.expr, record)));
        break;
      case 'parse':
        for (const record of records) {
          const source = evaluate(command.source, record);
          const match = source === undefined || source === null ? undefined : command.pattern.firstMatch(String(source));
          if (!match) continue;
          command.names.forEach((name, index) => record.set(name, match[command.groups[index]!]));
        }
        break;
      case 'stats': {
        matched ??= records.length;
        const groups = new Map<string, InsightsRecord[]>();
        for (const record of records) {
          const key = JSON.stringify(command.by.map((projection) => evaluate(projection.expr, record) ?? null));
          const members = groups.get(key);
          if (members) members.push(record);
          else groups.set(key, [record]);
        }
        const output: InsightsRecord[] = [];
        for (const members of groups.values()) {
          const row: InsightsRecord = new Map();
          const first = members[0] as InsightsRecord;
          for (const projection of command.by) row.set(projection.name, evaluate(projection.expr, first));
          // bin() groups keep the bin's time as @timestamp, so a later sort by it works.
          const bin = command.by.find((projection) => projection.expr.kind === 'call' && projection.expr.name === 'bin');
          if (bin) row.set('@timestamp', row.get(bin.name));
          for (const statistic of command.statistics) row.set(statistic.name, aggregate(statistic, members));
          output.push(row);
        }
        records = output;
        columns = [...command.by.map((projection) => projection.name), ...command.statistics.map((statistic) => statistic.name)];
        for (const projection of command.by) if (isTimeExpr(projection.expr)) times.add(projection.name);
        break;
      }
      case 'sort':
        records.sort((a, b) => {
          for (const key of command.keys) {
            const order = compare(evaluate(key.expr, a), evaluate(key.expr, b)) ?? (evaluate(key.expr, a) === undefined ? 1 : -1);
            if (order !== 0) return key.descending ? -order : order;
          }
          return 0;
        });
        sorted = true;
        break;
      case 'limit':
        limit = Math.min(limit, command.count);
        break;
    }
  }
  if (!sorted && !query.commands.some((command) => command.kind === 'stats')) {
    // Without a sort, the newest events come first.
    records.sort((a, b) => (b.get('@timestamp') as number) - (a.get('@timestamp') as number));
  }
  const shown = columns ?? ['@timestamp', '@message'];
  const rows = records.slice(0, limit).map((record) =>
    shown
      .filter((column) => record.get(column) !== undefined && record.get(column) !== null)
      .map((column) => {
        const value = record.get(column);
        return { field: column, value: times.has(column) && typeof value === 'number' ? formatTime(value) : String(value) };
      }),
  );
  return { rows, recordsMatched: matched ?? records.length };
}
