/** Syntax tree of the ECS cluster query language. */
import type { LinearPattern } from '../../core/linear-regex.js';

export type Operator =
  | 'equals'
  | 'not_equals'
  | 'greater_than'
  | 'greater_than_equal'
  | 'less_than'
  | 'less_than_equal'
  | 'exists'
  | 'not_exists'
  | 'in'
  | 'not_in'
  | 'matches'
  | 'not_matches';

/** The symbol of each operator, for messages. */
export const OPERATOR_SYMBOL: Readonly<Record<Operator, string>> = {
  equals: '==',
  not_equals: '!=',
  greater_than: '>',
  greater_than_equal: '>=',
  less_than: '<',
  less_than_equal: '<=',
  exists: 'exists',
  not_exists: '!exists',
  in: 'in',
  not_in: '!in',
  matches: '=~',
  not_matches: '!~',
};

export type Subject =
  | { kind: 'attribute'; name: string }
  | { kind: 'agentConnected' }
  | { kind: 'agentVersion' }
  | { kind: 'ec2InstanceId' }
  /** Berth extension: shorthand for attribute:ecs.instance-type. */
  | { kind: 'ec2InstanceType' }
  | { kind: 'registeredAt' }
  | { kind: 'runningTasksCount' }
  | { kind: 'taskGroup' };

/** A literal as written, plus what it means for the subject it is compared with. */
export type Literal =
  | { kind: 'string'; text: string }
  | { kind: 'boolean'; text: string; value: boolean }
  | { kind: 'number'; text: string; value: number }
  | { kind: 'version'; text: string; parts: number[] }
  /** A day (date without time) or an instant; `[from, to)` in epoch ms (to = from + 1 for instants). */
  | { kind: 'date'; text: string; from: number; to: number };

export type Expression =
  | { kind: 'and'; left: Expression; right: Expression }
  | { kind: 'or'; left: Expression; right: Expression }
  | { kind: 'not'; operand: Expression }
  | Comparison;

export interface Comparison {
  kind: 'comparison';
  subject: Subject;
  operator: Operator;
  /** Empty for exists / not_exists; one element except for in / not_in. */
  values: Literal[];
  /** Compiled pattern for matches / not_matches (the whole value must match; linear time). */
  pattern?: LinearPattern;
  /** 0-based offset of the subject in the source text. */
  position: number;
}

/** True when the expression reads tasks on the instance (task:group, runningTasksCount). */
export function dependsOnTasks(expression: Expression): boolean {
  switch (expression.kind) {
    case 'and':
    case 'or':
      return dependsOnTasks(expression.left) || dependsOnTasks(expression.right);
    case 'not':
      return dependsOnTasks(expression.operand);
    case 'comparison':
      return expression.subject.kind === 'taskGroup' || expression.subject.kind === 'runningTasksCount';
  }
}
