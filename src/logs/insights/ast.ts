/** The parsed form of a Logs Insights query: commands in pipeline order over expressions. */
import type { LinearPattern } from '../../core/linear-regex.js';

export type Expr =
  | { kind: 'field'; name: string }
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'regex'; regex: LinearPattern }
  | { kind: 'binary'; op: string; left: Expr; right: Expr }
  | { kind: 'not'; expr: Expr }
  | { kind: 'negate'; expr: Expr }
  | { kind: 'call'; name: string; args: Expr[] };

export interface Projection {
  expr: Expr;
  /** The result column: the alias, or the expression as written. */
  name: string;
}

export type Aggregate = 'count' | 'count_distinct' | 'avg' | 'sum' | 'min' | 'max' | 'pct';

export interface Statistic {
  fn: Aggregate;
  /** Absent for count(*). */
  arg?: Expr;
  /** pct's percentile. */
  percentile?: number;
  name: string;
}

export type Command =
  | { kind: 'fields'; projections: Projection[] }
  | { kind: 'display'; projections: Projection[] }
  | { kind: 'filter'; expr: Expr }
  | { kind: 'stats'; statistics: Statistic[]; by: Projection[] }
  | { kind: 'sort'; keys: { expr: Expr; descending: boolean }[] }
  | { kind: 'limit'; count: number }
  /** `groups[i]`: the number of the pattern's group that gives the field `names[i]`. */
  | { kind: 'parse'; source: Expr; pattern: LinearPattern; names: string[]; groups: number[] };

export interface Query {
  commands: Command[];
}
