/** ListContainerInstances `filter`: the cluster query language over stored instances. */
import { QueryLanguageError, evaluate, parseExpression, type Expression } from '../placement/query-language/index.js';
import type { ContainerInstanceRecord } from '../store/types.js';
import { clusterSnapshot, type ActiveGroup } from './placement-snapshot.js';
import { invalidParameter } from './validate.js';

const parsed = new Map<string, Expression>();

export function parseFilter(text: string, field = 'filter'): Expression {
  const cached = parsed.get(text);
  if (cached) return cached;
  try {
    const expression = parseExpression(text);
    if (parsed.size > 1000) parsed.clear();
    parsed.set(text, expression);
    return expression;
  } catch (error) {
    if (error instanceof QueryLanguageError) throw invalidParameter(`${field} is not a valid cluster query language expression: ${error.message}`);
    throw error;
  }
}

export function filterInstances(filter: string, records: ContainerInstanceRecord[], groups: ActiveGroup[]): ContainerInstanceRecord[] {
  const expression = parseFilter(filter);
  const snapshots = clusterSnapshot(records, groups);
  return records.filter((_, index) => evaluate(expression, snapshots[index]!));
}
