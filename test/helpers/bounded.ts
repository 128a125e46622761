/**
 * Runs a pattern evaluation on a worker thread with a deadline. A catastrophic pattern on a
 * backtracking engine blocks its thread; on the test's own thread no timeout could fire, so the
 * test would hang instead of failing. Here the worker is terminated and the call rejects.
 */
import { Worker } from 'node:worker_threads';
import { matchesWildcard, type WildcardOptions } from '../../src/core/wildcard.js';
import { compilePattern } from '../../src/core/linear-regex.js';
import { compileWildcard } from '../../src/iam/policy/patterns.js';
import { evaluate, parseExpression, type QueryTarget } from '../../src/placement/query-language/index.js';
import { parseFilterPattern } from '../../src/logs/filter-pattern/index.js';
import { runQuery } from '../../src/logs/insights/evaluate.js';
import { parseQuery } from '../../src/logs/insights/parser.js';

export const evaluations = {
  wildcard: (pattern: string, text: string, options?: WildcardOptions) => matchesWildcard(pattern, text, options),
  regex: (pattern: string, value: string) => compilePattern(pattern).matches(value),
  policyWildcard: (pattern: string, text: string) => compileWildcard(pattern, false)(text),
  query: (expression: string, target: QueryTarget) => evaluate(parseExpression(expression), target),
  filterPattern: (pattern: string, message: string) => parseFilterPattern(pattern)(message),
  /** A Logs Insights query over events with these messages: the number of rows it answers. */
  insights: (query: string, messages: string[]) =>
    runQuery(parseQuery(query), messages.map((message, i) => ({ timestamp: i, message, stream: 's', group: 'g', ingestionTime: i }))).rows.length,
};

type Evaluations = typeof evaluations;

const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.module).then((module) => parentPort.postMessage(module.evaluations[workerData.name](...workerData.args)));
`;

/** `evaluations[name](...args)`, answered within `timeoutMs` or rejected. */
export function bounded<N extends keyof Evaluations>(name: N, args: Parameters<Evaluations[N]>, timeoutMs = 3_000): Promise<ReturnType<Evaluations[N]>> {
  const worker = new Worker(workerSource, { eval: true, workerData: { module: import.meta.url, name, args } });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`${name}(${JSON.stringify(args).slice(0, 80)}…) did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    worker.once('message', (value: ReturnType<Evaluations[N]>) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(value);
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
