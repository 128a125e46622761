/**
 * The evaluator of metric math, pure: it takes the parsed expression and the series it may read
 * and gives a scalar, a series or an array of series (METRICS()). What it does, as CloudWatch
 * does it:
 *
 * - + - * / ^ between scalars, a series and a scalar (each point), two series (the timestamps both
 *   have), an array and a scalar or series (each member); a point whose result is not a finite
 *   number (a division by zero) is left out.
 * - ABS, DIFF, RATE (change per second between consecutive points), FILL(x, value | REPEAT | LINEAR)
 *   over the request's periods, METRICS() and METRICS('label part'), SUM / AVG / MIN / MAX (of an
 *   array: a series of the members at each timestamp; of a series: a scalar).
 *
 * Any other function (SEARCH, ANOMALY_DETECTION_BAND, INSIGHT_RULE_METRIC, SERVICE_QUOTA, …) is
 * refused by name.
 */
import { MathError, type Expr } from './parse.js';

export interface Series {
  label: string;
  /** Epoch ms, ascending. */
  timestamps: number[];
  values: number[];
}

export type MathValue = { kind: 'scalar'; value: number } | { kind: 'series'; series: Series } | { kind: 'array'; series: Series[] } | { kind: 'string'; value: string };

export interface MathContext {
  /** The value of another query by id; undefined when no query has that id. */
  lookup(id: string): MathValue | undefined;
  /** The MetricStat queries' series, in request order. */
  metrics(): Series[];
  /** Every period's start over the request's range, ascending (what FILL fills). */
  grid: number[];
}

export const supportedFunctions = ['ABS', 'AVG', 'DIFF', 'FILL', 'MAX', 'METRICS', 'MIN', 'RATE', 'SUM'] as const;

const apply = (op: string, a: number, b: number): number => {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    default:
      return Math.pow(a, b);
  }
};

const mapSeries = (series: Series, label: string, f: (value: number, at: number) => number): Series => {
  const out: Series = { label, timestamps: [], values: [] };
  series.timestamps.forEach((timestamp, index) => {
    const value = f(series.values[index]!, timestamp);
    if (Number.isFinite(value)) (out.timestamps.push(timestamp), out.values.push(value));
  });
  return out;
};

function joinSeries(op: string, left: Series, right: Series, label: string): Series {
  const rightAt = new Map(right.timestamps.map((timestamp, index) => [timestamp, right.values[index]!]));
  const out: Series = { label, timestamps: [], values: [] };
  left.timestamps.forEach((timestamp, index) => {
    const other = rightAt.get(timestamp);
    if (other === undefined) return;
    const value = apply(op, left.values[index]!, other);
    if (Number.isFinite(value)) (out.timestamps.push(timestamp), out.values.push(value));
  });
  return out;
}

function combine(op: string, left: MathValue, right: MathValue): MathValue {
  if (left.kind === 'string' || right.kind === 'string') throw new MathError(`A string cannot be an operand of '${op}'.`);
  if (left.kind === 'scalar' && right.kind === 'scalar') return { kind: 'scalar', value: apply(op, left.value, right.value) };
  if (left.kind === 'array' || right.kind === 'array') {
    const members = left.kind === 'array' ? left.series : [];
    if (left.kind === 'array' && right.kind === 'array') throw new MathError(`'${op}' between two arrays of time series is not supported.`);
    if (left.kind === 'array') return { kind: 'array', series: members.map((series) => asSeries(combine(op, { kind: 'series', series }, right))) };
    return { kind: 'array', series: (right as { series: Series[] }).series.map((series) => asSeries(combine(op, left, { kind: 'series', series }))) };
  }
  if (left.kind === 'series' && right.kind === 'scalar') return { kind: 'series', series: mapSeries(left.series, left.series.label, (value) => apply(op, value, right.value)) };
  if (left.kind === 'scalar' && right.kind === 'series') return { kind: 'series', series: mapSeries(right.series, right.series.label, (value) => apply(op, left.value, value)) };
  const l = left as { series: Series };
  const r = right as { series: Series };
  return { kind: 'series', series: joinSeries(op, l.series, r.series, l.series.label) };
}

function asSeries(value: MathValue): Series {
  if (value.kind !== 'series') throw new MathError('Expected a time series.');
  return value.series;
}

function eachSeries(value: MathValue, name: string, f: (series: Series) => Series): MathValue {
  if (value.kind === 'series') return { kind: 'series', series: f(value.series) };
  if (value.kind === 'array') return { kind: 'array', series: value.series.map(f) };
  throw new MathError(`${name} takes a time series or an array of time series.`);
}

function fill(series: Series, how: MathValue | { kind: 'word'; name: string }, grid: number[]): Series {
  const known = new Map(series.timestamps.map((timestamp, index) => [timestamp, series.values[index]!]));
  const out: Series = { label: series.label, timestamps: [], values: [] };
  let last: number | undefined;
  grid.forEach((timestamp, index) => {
    let value = known.get(timestamp);
    if (value === undefined) {
      if (how.kind === 'scalar') value = how.value;
      else if (how.kind === 'word' && how.name === 'REPEAT') value = last;
      else if (how.kind === 'word' && how.name === 'LINEAR') {
        const before = [...grid.slice(0, index)].reverse().find((t) => known.has(t));
        const after = grid.slice(index + 1).find((t) => known.has(t));
        if (before !== undefined && after !== undefined) value = known.get(before)! + ((known.get(after)! - known.get(before)!) * (timestamp - before)) / (after - before);
      }
    }
    if (value !== undefined) {
      out.timestamps.push(timestamp);
      out.values.push(value);
      last = value;
    }
  });
  return out;
}

function across(name: string, members: Series[]): Series {
  const at = new Map<number, number[]>();
  for (const series of members) series.timestamps.forEach((timestamp, index) => at.set(timestamp, [...(at.get(timestamp) ?? []), series.values[index]!]));
  const timestamps = [...at.keys()].sort((a, b) => a - b);
  return { label: name, timestamps, values: timestamps.map((timestamp) => reduce(name, at.get(timestamp)!)) };
}

function reduce(name: string, values: number[]): number {
  switch (name) {
    case 'SUM':
      return values.reduce((a, b) => a + b, 0);
    case 'AVG':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'MIN':
      return Math.min(...values);
    default:
      return Math.max(...values);
  }
}

export function evaluate(expr: Expr, context: MathContext): MathValue {
  switch (expr.kind) {
    case 'number':
      return { kind: 'scalar', value: expr.value };
    case 'string':
      return { kind: 'string', value: expr.value };
    case 'word':
      throw new MathError(`Unexpected '${expr.name}' at position ${expr.at}.`);
    case 'id': {
      const value = context.lookup(expr.name);
      if (!value) throw new MathError(`Unknown metric id '${expr.name}' at position ${expr.at}.`);
      return value;
    }
    case 'negate':
      return combine('*', { kind: 'scalar', value: -1 }, evaluate(expr.operand, context));
    case 'binary':
      return combine(expr.op, evaluate(expr.left, context), evaluate(expr.right, context));
    case 'call':
      return call(expr, context);
  }
}

function call(expr: Extract<Expr, { kind: 'call' }>, context: MathContext): MathValue {
  const arity = (count: number) => {
    if (expr.args.length !== count) throw new MathError(`${expr.name} takes ${count} argument${count === 1 ? '' : 's'}, got ${expr.args.length} (position ${expr.at}).`);
  };
  switch (expr.name) {
    case 'METRICS': {
      if (expr.args.length > 1) throw new MathError(`METRICS takes at most 1 argument (position ${expr.at}).`);
      const filter = expr.args[0] ? evaluate(expr.args[0], context) : undefined;
      if (filter && filter.kind !== 'string') throw new MathError(`METRICS takes a string, the part of the labels to keep (position ${expr.at}).`);
      return { kind: 'array', series: context.metrics().filter((series) => !filter || series.label.includes(filter.value)) };
    }
    case 'ABS':
      arity(1);
      return eachSeries(evaluate(expr.args[0]!, context), 'ABS', (series) => mapSeries(series, series.label, Math.abs));
    case 'DIFF':
    case 'RATE':
      arity(1);
      return eachSeries(evaluate(expr.args[0]!, context), expr.name, (series) => {
        const out: Series = { label: series.label, timestamps: [], values: [] };
        for (let i = 1; i < series.timestamps.length; i += 1) {
          const change = series.values[i]! - series.values[i - 1]!;
          out.timestamps.push(series.timestamps[i]!);
          out.values.push(expr.name === 'DIFF' ? change : change / ((series.timestamps[i]! - series.timestamps[i - 1]!) / 1000));
        }
        return out;
      });
    case 'FILL': {
      arity(2);
      const second = expr.args[1]!;
      const how = second.kind === 'word' ? { kind: 'word' as const, name: second.name } : evaluate(second, context);
      if (how.kind === 'word' && how.name !== 'REPEAT' && how.name !== 'LINEAR') throw new MathError(`FILL fills with a number, REPEAT or LINEAR, got ${how.name} (position ${expr.at}).`);
      if (how.kind !== 'word' && how.kind !== 'scalar') throw new MathError(`FILL fills with a number, REPEAT or LINEAR (position ${expr.at}).`);
      return eachSeries(evaluate(expr.args[0]!, context), 'FILL', (series) => fill(series, how, context.grid));
    }
    case 'SUM':
    case 'AVG':
    case 'MIN':
    case 'MAX': {
      arity(1);
      const value = evaluate(expr.args[0]!, context);
      if (value.kind === 'array') return { kind: 'series', series: across(expr.name, value.series) };
      if (value.kind === 'series') return value.series.values.length === 0 ? { kind: 'series', series: value.series } : { kind: 'scalar', value: reduce(expr.name, value.series.values) };
      throw new MathError(`${expr.name} takes a time series or an array of time series (position ${expr.at}).`);
    }
    default:
      throw new MathError(`Unsupported function ${expr.name} at position ${expr.at}. Berth evaluates ${supportedFunctions.join(', ')}.`);
  }
}
