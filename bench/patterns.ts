/**
 * Hostile patterns, before and after: the time one evaluation takes on JavaScript's backtracking
 * RegExp (what Berth used to build from a caller's pattern or wildcard) and on what Berth uses now
 * (RE2 for `=~`, the two-pointer wildcard match for `*` filters). Standalone:
 * `node dist/bench/patterns.js` after the build. Prints figures, asserts nothing.
 *
 * The RegExp side cannot be run on the full-length value: it would not finish. It is run on
 * growing values, each on a worker thread that is terminated after LIMIT_MS, until one evaluation
 * takes longer than BUDGET_MS; the figures are that size, that time, and how much each extra
 * character multiplied the time there. The linear side is timed on the main thread at that size
 * and at the full size an attacker can use: compiling once, then the median and the slowest of
 * many evaluations.
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { compilePattern } from '../src/core/linear-regex.js';
import { matchesWildcard, type WildcardOptions } from '../src/core/wildcard.js';

/** Stop growing the RegExp side's value once one evaluation takes this long. */
const BUDGET_MS = 300;
/** A RegExp evaluation still running after this long is stopped. */
const LIMIT_MS = 5_000;

interface Case {
  where: string;
  /** The pattern and value at size n. */
  at(n: number): { pattern: string; value: string };
  /** Sizes tried on the RegExp side, smallest first. */
  sizes: number[];
  /** The size an attacker can use (ECS values and ECR tags: 128 characters). */
  full: number;
  kind: 'regex' | 'wildcard';
  options?: WildcardOptions;
}

const range = (from: number, to: number, step: number) => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

const cases: Case[] = [
  {
    where: 'ListContainerInstances / memberOf: attribute =~ (a+)+',
    kind: 'regex',
    at: (n) => ({ pattern: '(a+)+', value: `${'a'.repeat(n - 1)}-` }),
    sizes: range(12, 128, 1),
    full: 128,
  },
  {
    where: 'memberOf: attribute =~ (a|aa)*c',
    kind: 'regex',
    at: (n) => ({ pattern: '(a|aa)*c', value: 'a'.repeat(n) }),
    sizes: range(12, 128, 2),
    full: 128,
  },
  {
    where: 'memberOf: attribute =~ (.*a){12}',
    kind: 'regex',
    at: (n) => ({ pattern: '(.*a){12}', value: `${'a'.repeat(n - 1)}-` }),
    sizes: range(12, 128, 2),
    full: 128,
  },
  {
    where: 'memberOf: task:group =~ (x+x+)+y',
    kind: 'regex',
    at: (n) => ({ pattern: '(x+x+)+y', value: 'x'.repeat(n) }),
    sizes: range(12, 255, 1),
    full: 255,
  },
  {
    where: 'PutImage: exclusion filter a*a*a*a*a*a*a*b',
    kind: 'wildcard',
    at: (n) => ({ pattern: 'a*a*a*a*a*a*a*b', value: 'a'.repeat(n) }),
    sizes: range(8, 128, 4),
    full: 128,
  },
  {
    where: 'PutImage: exclusion filter (a*)×63 b',
    kind: 'wildcard',
    at: (n) => ({ pattern: `${'a*'.repeat(63)}b`, value: 'a'.repeat(n) }),
    sizes: range(8, 128, 1),
    full: 128,
  },
  {
    where: 'lifecycle preview: tagPatternList a*a*a*a*b',
    kind: 'wildcard',
    at: (n) => ({ pattern: 'a*a*a*a*b', value: 'a'.repeat(n) }),
    sizes: range(16, 128, 16),
    full: 128,
  },
  {
    where: 'SetRepositoryPolicy: Deny ecr:(*?)×n x',
    kind: 'wildcard',
    options: { questionMark: true, ignoreCase: true },
    at: (n) => ({ pattern: `ecr:${'*?'.repeat(n)}x`, value: 'ecr:SetRepositoryPolicy' }),
    sizes: range(1, 300, 1),
    full: 300,
  },
];

/** What Berth built before: a RegExp from the caller's text, as source and flags. */
function backtracking(c: Case, pattern: string): { source: string; flags: string } {
  if (c.kind === 'regex') return { source: `^(?:${pattern})$`, flags: '' };
  const literal = (part: string) => part.replace(/[\\^$.|?+()[\]{}]/g, '\\$&');
  const source = pattern
    .split('*')
    .map((part) => (c.options?.questionMark ? part.split('?').map(literal).join('.') : literal(part)))
    .join('.*');
  return { source: `^${source}$`, flags: c.options?.ignoreCase ? 'is' : 's' };
}

const regexpWorker = `
const { parentPort, workerData } = require('node:worker_threads');
const re = new RegExp(workerData.source, workerData.flags);
const start = process.hrtime.bigint();
re.test(workerData.value);
parentPort.postMessage(Number(process.hrtime.bigint() - start) / 1e6);
`;

/** One RegExp evaluation on a worker thread, in ms; Infinity when it ran past LIMIT_MS and was stopped. */
function timeRegExp(source: string, flags: string, value: string): Promise<number> {
  const worker = new Worker(regexpWorker, { eval: true, workerData: { source, flags, value } });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => void worker.terminate().then(() => resolve(Infinity)), LIMIT_MS);
    worker.once('message', (ms: number) => {
      clearTimeout(timer);
      void worker.terminate().then(() => resolve(ms));
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** What Berth evaluates with now. */
function linear(c: Case, pattern: string): (value: string) => boolean {
  if (c.kind === 'regex') {
    const compiled = compilePattern(pattern);
    return (value) => compiled.matches(value);
  }
  return (value) => matchesWildcard(pattern, value, c.options);
}

function timeOnce(run: () => unknown): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Compile time (the first call), then the median and slowest of `runs` evaluations, in ms. */
function timeLinear(c: Case, size: number, runs = 500): { compile: number; median: number; worst: number } {
  const { pattern, value } = c.at(size);
  let evaluate: (value: string) => boolean = () => false;
  const compile = timeOnce(() => (evaluate = linear(c, pattern)));
  const times = Array.from({ length: runs }, () => timeOnce(() => evaluate(value))).sort((a, b) => a - b);
  return { compile, median: times[Math.floor(runs / 2)]!, worst: times.at(-1)! };
}

function format(ms: number): string {
  if (ms < 1) return `${(ms * 1000).toFixed(1)} µs`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  const s = ms / 1000;
  return `${s.toFixed(1)} s`;
}

export async function main(): Promise<void> {
  console.log('hostile patterns: the time of one evaluation, on RegExp (before) and linear (after)');
  console.log(`RegExp: on growing values until one evaluation takes over ${BUDGET_MS} ms (stopped at ${LIMIT_MS / 1000} s), with the growth per extra character there.`);
  console.log("linear: median / slowest of 500 evaluations, the pattern compiled once (compile: RE2's first, uncached compile; wildcards need none).\n");
  // Warm the JIT on other patterns, so the first case does not pay for it and compiles stay uncached.
  for (const kind of ['regex', 'wildcard'] as const) {
    const warm: Case = { where: 'warm-up', kind, at: (n) => ({ pattern: kind === 'regex' ? '(b+)+c' : 'b*b*c', value: 'b'.repeat(n) }), sizes: [64], full: 64 };
    timeLinear(warm, 64, 5_000);
  }
  const rows: string[][] = [['where', 'n', 'RegExp at n', 'per char', 'linear at n', 'full', 'linear at full', 'compile']];
  for (const c of cases) {
    const timings: { n: number; ms: number }[] = [];
    for (const size of c.sizes) {
      const { pattern, value } = c.at(size);
      const { source, flags } = backtracking(c, pattern);
      timings.push({ n: size, ms: await timeRegExp(source, flags, value) });
      if (timings.at(-1)!.ms > BUDGET_MS) break;
    }
    const { n, ms: before } = timings.at(-1)!;
    const measurable = timings.filter((timing) => timing.ms > 5 && Number.isFinite(timing.ms));
    const [earlier, last] = measurable.slice(-2);
    const growth = earlier && last ? `×${Math.pow(last.ms / earlier.ms, 1 / (last.n - earlier.n)).toFixed(2)}` : '-';
    const atFull = timeLinear(c, c.full);
    const atN = timeLinear(c, n);
    const both = (t: { median: number; worst: number }) => `${format(t.median)} / ${format(t.worst)}`;
    rows.push([c.where, String(n), Number.isFinite(before) ? format(before) : `> ${LIMIT_MS / 1000} s`, growth, both(atN), String(c.full), both(atFull), c.kind === 'regex' ? format(atFull.compile) : '-']);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) console.log(row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  '));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
