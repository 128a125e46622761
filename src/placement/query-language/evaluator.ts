import { assertNever } from '../../core/assert-never.js';
import type { Comparison, Expression, Literal, Operator } from './ast.js';
import { compareVersions, parseVersion } from './literals.js';

/** What an expression can look at. InstanceSnapshot satisfies it. */
export interface QueryTarget {
  ec2InstanceId: string;
  agentConnected: boolean;
  agentVersion?: string;
  /** Epoch milliseconds. */
  registeredAt: number;
  attributes: Readonly<Record<string, string | null>>;
  /** Tasks on the instance (not STOPPED); used by task:group and runningTasksCount. */
  tasks: readonly { group: string }[];
}

/** Optional overrides, for callers (ListContainerInstances) that know more than the target holds. */
export interface EvaluationContext {
  /** Groups of the tasks on the instance; default: target.tasks. */
  taskGroups?: readonly string[];
  /** Default: target.tasks.length (tasks not STOPPED). */
  runningTasksCount?: number;
}

/**
 * Evaluates a parsed expression against one instance.
 *
 * Semantics Berth chose where AWS is silent:
 * - A missing subject (an attribute the instance lacks, an instance without agentVersion or
 *   ec2InstanceId) satisfies only `!exists`; every comparison on it is false, including `!=` and
 *   `!in` (AWS: "attribute:stack != prod" lists instances that HAVE the attribute stack, unless its
 *   value is prod). An attribute without a value exists, but fails every comparison too.
 * - task:group has one value per task on the instance. `==`, `in`, `=~` and `exists` hold when ANY
 *   task matches; `!=`, `!in`, `!~` and `!exists` are their negations (no task matches), so
 *   `task:group != database` means the same as `not(task:group == database)`.
 * - Ordering on attributes is numeric when both sides are numbers, otherwise by string.
 * - A date stands for the span of its precision: `registeredAt == 2018-02-13` holds all that day.
 */
export function evaluate(expression: Expression, target: QueryTarget, context: EvaluationContext = {}): boolean {
  switch (expression.kind) {
    case 'and':
      return evaluate(expression.left, target, context) && evaluate(expression.right, target, context);
    case 'or':
      return evaluate(expression.left, target, context) || evaluate(expression.right, target, context);
    case 'not':
      return !evaluate(expression.operand, target, context);
    case 'comparison':
      return evaluateComparison(expression, target, context);
    default:
      return assertNever(expression, 'expression');
  }
}

type Scalar = string | number | boolean;

function evaluateComparison(c: Comparison, target: QueryTarget, context: EvaluationContext): boolean {
  const subject = c.subject;
  if (subject.kind === 'taskGroup') {
    const groups = context.taskGroups ?? target.tasks.map((t) => t.group);
    const positive = POSITIVE[c.operator];
    const any = positive === 'exists' ? groups.length > 0 : groups.some((g) => holds(positive, g, c));
    return positive === c.operator ? any : !any;
  }
  let present = true;
  let value: Scalar | undefined;
  switch (subject.kind) {
    case 'attribute':
    case 'ec2InstanceType': {
      const name = subject.kind === 'attribute' ? subject.name : 'ecs.instance-type';
      present = Object.prototype.hasOwnProperty.call(target.attributes, name);
      value = present ? (target.attributes[name] ?? undefined) : undefined;
      break;
    }
    case 'ec2InstanceId':
      value = target.ec2InstanceId === '' ? undefined : target.ec2InstanceId;
      present = value !== undefined;
      break;
    case 'agentConnected':
      value = target.agentConnected;
      break;
    case 'agentVersion':
      value = target.agentVersion === '' ? undefined : target.agentVersion;
      present = value !== undefined;
      break;
    case 'registeredAt':
      value = target.registeredAt;
      break;
    case 'runningTasksCount':
      value = context.runningTasksCount ?? target.tasks.length;
      break;
    default:
      return assertNever(subject, 'subject');
  }
  if (c.operator === 'exists') return present;
  if (c.operator === 'not_exists') return !present;
  // A missing subject, or an attribute without a value, fails every comparison.
  if (value === undefined) return false;
  return holds(c.operator, value, c);
}

const POSITIVE: Readonly<Record<Operator, Operator>> = {
  equals: 'equals',
  not_equals: 'equals',
  greater_than: 'greater_than',
  greater_than_equal: 'greater_than_equal',
  less_than: 'less_than',
  less_than_equal: 'less_than_equal',
  exists: 'exists',
  not_exists: 'exists',
  in: 'in',
  not_in: 'in',
  matches: 'matches',
  not_matches: 'matches',
};

function holds(operator: Operator, value: Scalar, c: Comparison): boolean {
  const first = c.values[0];
  switch (operator) {
    case 'equals':
      return first !== undefined && equal(value, first);
    case 'not_equals':
      return first !== undefined && !equal(value, first);
    case 'in':
      return c.values.some((lit) => equal(value, lit));
    case 'not_in':
      return !c.values.some((lit) => equal(value, lit));
    case 'matches':
      return c.pattern !== undefined && c.pattern.matches(String(value));
    case 'not_matches':
      return c.pattern !== undefined && !c.pattern.matches(String(value));
    case 'greater_than':
      return first !== undefined && order(value, first) > 0;
    case 'greater_than_equal':
      return first !== undefined && order(value, first) >= 0;
    case 'less_than':
      return first !== undefined && order(value, first) < 0;
    case 'less_than_equal':
      return first !== undefined && order(value, first) <= 0;
    case 'exists':
    case 'not_exists':
      return true;
    default:
      return assertNever(operator, 'operator');
  }
}

function equal(value: Scalar, lit: Literal): boolean {
  switch (lit.kind) {
    case 'string':
      return String(value) === lit.text;
    case 'boolean':
    case 'number':
      return value === lit.value;
    case 'version':
    case 'date':
      return order(value, lit) === 0;
    default:
      return assertNever(lit, 'literal');
  }
}

/** Sign of value - literal; NaN when they can't be ordered (every ordering test is then false). */
function order(value: Scalar, lit: Literal): number {
  switch (lit.kind) {
    case 'date': {
      if (typeof value !== 'number') return NaN;
      if (value < lit.from) return -1;
      return value >= lit.to ? 1 : 0;
    }
    case 'version': {
      const parts = parseVersion(String(value));
      return parts ? Math.sign(compareVersions(parts, lit.parts)) : NaN;
    }
    case 'number':
      return typeof value === 'number' ? Math.sign(value - lit.value) : NaN;
    case 'boolean':
      return value === lit.value ? 0 : NaN;
    case 'string': {
      const text = String(value);
      const a = Number(text);
      const b = Number(lit.text);
      if (text.trim() !== '' && lit.text.trim() !== '' && Number.isFinite(a) && Number.isFinite(b)) return Math.sign(a - b);
      return text < lit.text ? -1 : text > lit.text ? 1 : 0;
    }
    default:
      return assertNever(lit, 'literal');
  }
}
