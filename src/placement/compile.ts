import { MAX_CONSTRAINTS, MAX_STRATEGIES, RUN_TASK_DEFAULT_STRATEGIES } from './constants.js';
import { dependsOnTasks, parseExpression, QueryLanguageError, type Expression } from './query-language/index.js';
import type { PlacementRequest, PlacementStrategy } from './types.js';

/** A request the API layer should refuse with InvalidParameterException (message is for the caller). */
export class PlacementRequestError extends Error {
  override readonly name = 'PlacementRequestError';
}

export interface CompiledMemberOf {
  text: string;
  expression: Expression;
  /** Reads task:group or runningTasksCount, so its answer can change as tasks are placed. */
  dynamic: boolean;
}

export type CompiledStrategy =
  | { kind: 'spreadInstance'; label: string }
  | { kind: 'spreadAttribute'; attribute: string; label: string }
  | { kind: 'binpack'; resource: 'cpu' | 'memory'; label: string }
  | { kind: 'random'; label: string };

export interface CompiledRequest {
  request: PlacementRequest;
  tcpPorts: number[];
  udpPorts: number[];
  memberOf: CompiledMemberOf[];
  distinctInstance: boolean;
  /**
   * Effective strategies: the request's, or RunTask's default when it has none; cut after the first
   * `random` (it leaves a single instance, so nothing after it can matter).
   */
  strategies: CompiledStrategy[];
}

/** Checks and prepares a request. Throws PlacementRequestError or QueryLanguageError. */
export function compileRequest(request: PlacementRequest): CompiledRequest {
  const fail = (message: string): never => {
    throw new PlacementRequestError(message);
  };
  if (!Number.isInteger(request.count) || request.count < 0) fail(`count must be a whole number >= 0, got ${request.count}`);
  for (const [name, value] of [
    ['cpu', request.cpu],
    ['memory', request.memory],
    ['gpus', request.gpus],
  ] as const) {
    if (!Number.isFinite(value) || value < 0) fail(`${name} must be a number >= 0, got ${value}`);
  }
  if (!Number.isInteger(request.gpus)) fail(`gpus must be a whole number, got ${request.gpus}`);
  if (request.group === '') fail('group must not be empty');

  const tcpPorts: number[] = [];
  const udpPorts: number[] = [];
  for (const hp of request.hostPorts) {
    if (!Number.isInteger(hp.port) || hp.port < 1 || hp.port > 65535) fail(`host port ${hp.port} is not between 1 and 65535`);
    if (hp.protocol !== 'tcp' && hp.protocol !== 'udp') fail(`host port protocol must be tcp or udp, got ${String(hp.protocol)}`);
    const list = hp.protocol === 'tcp' ? tcpPorts : udpPorts;
    if (list.includes(hp.port)) fail(`host port ${hp.port}/${hp.protocol} is asked for twice`);
    list.push(hp.port);
  }

  if (request.constraints.length > MAX_CONSTRAINTS) fail(`at most ${MAX_CONSTRAINTS} placement constraints are allowed`);
  const memberOf: CompiledMemberOf[] = [];
  let distinctInstance = false;
  for (const constraint of request.constraints) {
    if (constraint.type === 'distinctInstance') {
      if (constraint.expression !== undefined && constraint.expression !== '') {
        fail("an expression can't be given for a distinctInstance constraint");
      }
      distinctInstance = true;
    } else if (constraint.type === 'memberOf') {
      const text = constraint.expression ?? '';
      if (text.trim() === '') fail('a memberOf constraint needs an expression');
      const expression = parseExpression(text);
      memberOf.push({ text, expression, dynamic: dependsOnTasks(expression) });
    } else {
      fail(`unknown placement constraint type ${String((constraint as { type: unknown }).type)}`);
    }
  }

  if (request.strategies.length > MAX_STRATEGIES) fail(`at most ${MAX_STRATEGIES} placement strategies are allowed`);
  const source = request.strategies.length > 0 ? request.strategies : RUN_TASK_DEFAULT_STRATEGIES;
  const strategies: CompiledStrategy[] = [];
  for (const strategy of source) {
    const compiled = compileStrategy(strategy, fail);
    strategies.push(compiled);
    if (compiled.kind === 'random') break;
  }
  return { request, tcpPorts, udpPorts, memberOf, distinctInstance, strategies };
}

function compileStrategy(strategy: PlacementStrategy, fail: (message: string) => never): CompiledStrategy {
  const field = strategy.field ?? '';
  switch (strategy.type) {
    case 'random':
      return { kind: 'random', label: 'random' };
    case 'binpack': {
      const resource = field.toLowerCase();
      if (resource !== 'cpu' && resource !== 'memory') fail(`binpack field must be cpu or memory, got '${field}'`);
      return { kind: 'binpack', resource: resource as 'cpu' | 'memory', label: `binpack(${resource})` };
    }
    case 'spread': {
      const lower = field.toLowerCase();
      if (lower === 'instanceid' || lower === 'host') return { kind: 'spreadInstance', label: `spread(${field})` };
      if (field.startsWith('attribute:') && field.length > 'attribute:'.length) {
        return { kind: 'spreadAttribute', attribute: field.slice('attribute:'.length), label: `spread(${field})` };
      }
      return fail(`spread field must be instanceId, host or attribute:<name>, got '${field}'`);
    }
    default:
      return fail(`unknown placement strategy type ${String((strategy as { type: unknown }).type)}`);
  }
}

/** The message InvalidParameterException should carry, or undefined when the request is valid. */
export function validatePlacementRequest(request: PlacementRequest): string | undefined {
  try {
    compileRequest(request);
    return undefined;
  } catch (error) {
    if (error instanceof PlacementRequestError || error instanceof QueryLanguageError) return error.message;
    throw error;
  }
}
