/**
 * Request bodies for fuzzing an AWS JSON operation, made from its input schema (the AWS SDK's
 * runtime schema, the one the edge checks requests against): inputs of the right types with
 * random, boundary, long and unicode values; inputs with one member of the wrong type; and bodies
 * that are not the JSON object the protocol wants. Everything is drawn from a seeded Rng.
 */
import type { NormalizedSchema } from '@smithy/core/schema';
import type { Rng } from '../../src/core/rng.js';

export interface FuzzCase {
  /** "empty", "generated", "type-confused" or "malformed", and what was done. */
  kind: string;
  body: string;
}

const strings = [
  '',
  'a',
  'default',
  ' ',
  'Ünïcødé ☃ 🚀 中文 ‮rtl',
  '\u0000\u0001\u001f',
  '\ud800',
  '../../../../etc/passwd',
  "'; DROP TABLE tasks; --",
  '%00%ff%',
  'arn:aws:ecs:us-east-1:000000000000:cluster/default',
  'arn:aws:ecs:us-east-1:000000000000:task/default/0123456789abcdef0123456789abcdef',
  'arn:aws:secretsmanager:us-east-1:000000000000:secret:s-AbCdEf',
  'arn:aws:iam::000000000000:role/r',
  'sha256:' + '0'.repeat(64),
  'busybox:latest',
  '*',
  'null',
];

const numbers = [0, -1, 1, 2, 100, 2147483647, 2147483648, -2147483648, 9007199254740991, -9007199254740991, 1e308, -1e308, 0.5, 1e-300];

const timestamps: unknown[] = [0, -1, 1.5, 1e12, 253402300800, -62135596800, '2026-01-01T00:00:00Z', 'not a date'];

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)]!;
}

function randomText(rng: Rng, length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:@ ';
  let text = '';
  for (let index = 0; index < length; index++) text += alphabet[rng.int(alphabet.length)];
  return text;
}

function randomString(rng: Rng): string {
  switch (rng.int(4)) {
    case 0:
      return pick(rng, strings);
    case 1:
      return randomText(rng, 1 + rng.int(40));
    case 2:
      // Long: past every length limit AWS has on a name or value.
      return randomText(rng, 1000 + rng.int(64 * 1024));
    default:
      return pick(rng, strings) + randomText(rng, rng.int(10));
  }
}

function randomNumber(rng: Rng): number {
  return rng.int(3) === 0 ? rng.int(100_000) - 50_000 : pick(rng, numbers);
}

function randomDocument(rng: Rng, depth: number): unknown {
  switch (depth > 2 ? rng.int(3) : rng.int(5)) {
    case 0:
      return randomString(rng);
    case 1:
      return randomNumber(rng);
    case 2:
      return rng.int(2) === 0;
    case 3:
      return [randomDocument(rng, depth + 1)];
    default:
      return { [randomText(rng, 5)]: randomDocument(rng, depth + 1) };
  }
}

/**
 * Values a member of this name plausibly takes, naming the fixtures the suite creates first
 * (cluster, repository, secret, task definition family `fuzz`), so that generated inputs get past
 * validation into the operations' lookups and writes.
 */
const plausibleByName: [RegExp, readonly unknown[]][] = [
  [/^registryId$/i, ['000000000000']],
  [/cluster/i, ['fuzz', 'default', 'arn:aws:ecs:us-east-1:000000000000:cluster/fuzz']],
  [/^(family|familyPrefix)$/i, ['fuzz']],
  [/taskDefinition/i, ['fuzz', 'fuzz:1', 'arn:aws:ecs:us-east-1:000000000000:task-definition/fuzz:1']],
  [/repositoryName/i, ['fuzz']],
  [/^(secretId|name)$/i, ['fuzz', 'fuzz-new']],
  [/imageTag/i, ['latest', 'v1']],
  [/digest/i, ['sha256:' + '0'.repeat(64)]],
  [/^image$/i, ['busybox', '000000000000.dkr.ecr.us-east-1.amazonaws.com/fuzz:latest']],
  [/^(cpu)$/i, ['256', '1024']],
  [/^(memory)$/i, ['512', '2048']],
  [/^(service|serviceName)$/i, ['fuzz']],
  [/(resourceArn|^arn$)/i, ['arn:aws:ecs:us-east-1:000000000000:cluster/fuzz', 'arn:aws:ecr:us-east-1:000000000000:repository/fuzz']],
  [/secretString/i, ['{"username":"u","password":"p"}', 'plain']],
  [/^(key|value)$/i, ['k', 'v']],
];

/** A value of the schema's type that an operation would plausibly accept. */
function plausible(schema: NormalizedSchema, name: string, rng: Rng, depth: number): unknown {
  if (schema.isStructSchema() || schema.isUnionSchema()) {
    if (depth > 5) return {};
    const members = [...schema.structIterator()];
    if (schema.isUnionSchema()) {
      const [member, memberSchema] = pick(rng, members);
      return { [member]: plausible(memberSchema, member, rng, depth + 1) };
    }
    const value: Record<string, unknown> = {};
    for (const [member, memberSchema] of members) {
      if (memberSchema.getMergedTraits().required !== undefined || rng.int(2) === 0) value[member] = plausible(memberSchema, member, rng, depth + 1);
    }
    return value;
  }
  if (schema.isListSchema()) return depth > 4 ? [] : Array.from({ length: 1 + rng.int(2) }, () => plausible(schema.getValueSchema(), name, rng, depth + 1));
  if (schema.isMapSchema()) return depth > 4 ? {} : { [randomText(rng, 1 + rng.int(8)).trim() || 'k']: plausible(schema.getValueSchema(), name, rng, depth + 1) };
  if (schema.isDocumentSchema()) return randomDocument(rng, 0);
  if (schema.isBooleanSchema()) return rng.int(2) === 0;
  if (schema.isNumericSchema() || schema.isBigIntegerSchema() || schema.isBigDecimalSchema()) return 1 + rng.int(10);
  if (schema.isTimestampSchema()) return 1_800_000_000 + rng.int(1000);
  if (schema.isBlobSchema()) return Buffer.from(randomText(rng, 1 + rng.int(20))).toString('base64');
  const hint = plausibleByName.find(([pattern]) => pattern.test(name));
  return hint ? pick(rng, hint[1]) : randomText(rng, 1 + rng.int(12)).replace(/[^A-Za-z0-9-]/g, 'x');
}

/** A value of the schema's type, with random content; undefined where recursion must stop. */
export function generate(schema: NormalizedSchema, rng: Rng, depth = 0): unknown {
  if (schema.isStructSchema() || schema.isUnionSchema()) {
    if (depth > 5) return {};
    const members = [...schema.structIterator()];
    const value: Record<string, unknown> = {};
    if (schema.isUnionSchema()) {
      const [name, member] = pick(rng, members);
      value[name] = generate(member, rng, depth + 1);
      return value;
    }
    for (const [name, member] of members) {
      const required = member.getMergedTraits().required !== undefined;
      if (required || rng.int(3) !== 0) value[name] = generate(member, rng, depth + 1);
    }
    return value;
  }
  if (schema.isListSchema()) {
    const length = depth > 4 ? 0 : rng.int(4);
    return Array.from({ length }, () => generate(schema.getValueSchema(), rng, depth + 1));
  }
  if (schema.isMapSchema()) {
    const length = depth > 4 ? 0 : rng.int(3);
    return Object.fromEntries(Array.from({ length }, () => [randomString(rng).slice(0, 50), generate(schema.getValueSchema(), rng, depth + 1)]));
  }
  if (schema.isDocumentSchema()) return randomDocument(rng, 0);
  if (schema.isBooleanSchema()) return rng.int(2) === 0;
  if (schema.isNumericSchema() || schema.isBigIntegerSchema() || schema.isBigDecimalSchema()) return randomNumber(rng);
  if (schema.isTimestampSchema()) return pick(rng, timestamps);
  if (schema.isBlobSchema()) return rng.int(2) === 0 ? Buffer.from(randomText(rng, 1 + rng.int(100))).toString('base64') : 'not base64!';
  return randomString(rng);
}

/** A value of another type than the schema's: string for a number, object for a list, null, … */
function confuse(schema: NormalizedSchema, rng: Rng): unknown {
  const wrong: unknown[] = [null, 7, 'seven', true, [], {}, [null], { '': null }];
  const fitting = (value: unknown) => {
    if (value === null) return false;
    if (schema.isStructSchema() || schema.isMapSchema() || schema.isUnionSchema()) return typeof value === 'object' && !Array.isArray(value);
    if (schema.isListSchema()) return Array.isArray(value);
    if (schema.isBooleanSchema()) return typeof value === 'boolean';
    if (schema.isNumericSchema()) return typeof value === 'number';
    if (schema.isTimestampSchema()) return typeof value === 'number' || typeof value === 'string';
    if (schema.isDocumentSchema()) return true;
    return typeof value === 'string';
  };
  const candidates = wrong.filter((value) => !fitting(value));
  return candidates.length > 0 ? pick(rng, candidates) : null;
}

/** A generated input with one member, at any depth, replaced by a value of the wrong type. */
function confused(schema: NormalizedSchema, rng: Rng): { body: unknown; path: string } {
  const input = generate(schema, rng) as Record<string, unknown>;
  let target: NormalizedSchema = schema;
  let holder: Record<string, unknown> | unknown[] = input;
  let path = '';
  // Walk down a random chain of present members, then swap the last one's value.
  for (let depth = 0; depth < 4; depth++) {
    const value: unknown = Array.isArray(holder) ? undefined : holder;
    if (!value || typeof value !== 'object') break;
    const present = target.isStructSchema() ? [...target.structIterator()].filter(([name]) => name in (value as object)) : [];
    if (present.length === 0) break;
    const [name, member] = pick(rng, present);
    const child = (value as Record<string, unknown>)[name];
    const stop = rng.int(2) === 0 || child === null || typeof child !== 'object' || Array.isArray(child) || !member.isStructSchema();
    path = path ? `${path}.${name}` : name;
    if (stop) {
      (value as Record<string, unknown>)[name] = confuse(member, rng);
      return { body: input, path };
    }
    holder = child as Record<string, unknown>;
    target = member;
  }
  // No member to swap: the whole body is of the wrong type.
  return { body: pick(rng, [[], 'body', 42, null, [{}]]), path: '(body)' };
}

function deeplyNested(depth: number): string {
  return `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`;
}

/** The cases for one operation: its empty input, then `generated` inputs, `confused` ones, and malformed bodies. */
export function fuzzCases(schema: NormalizedSchema, rng: Rng, counts: { generated: number; confused: number }): FuzzCase[] {
  const cases: FuzzCase[] = [{ kind: 'empty', body: '{}' }, { kind: 'empty body', body: '' }];
  for (let index = 0; index < counts.generated; index++) {
    // Half random values (boundaries, long strings, unicode), half plausible ones that reach deeper.
    const input = index % 2 === 0 ? generate(schema, rng) : plausible(schema, '', rng, 0);
    cases.push({ kind: index % 2 === 0 ? 'generated' : 'generated, plausible', body: JSON.stringify(input) });
  }
  for (let index = 0; index < counts.confused; index++) {
    const { body, path } = confused(schema, rng);
    cases.push({ kind: `type-confused at ${path}`, body: JSON.stringify(body) });
  }
  const valid = JSON.stringify(generate(schema, rng));
  const malformed: [string, string][] = [
    ['invalid JSON', pick(rng, ['not json', '{,}', "{'a': 1}", '{"a":1,}', 'NaN', '\u00ff\u00fe'])],
    ['truncated', valid.slice(0, Math.max(1, Math.floor(valid.length / 2)))],
    ['huge nesting', deeplyNested(20_000 + rng.int(80_000))],
    ['not an object', pick(rng, ['[]', '"text"', '42', 'null', 'true'])],
    ['duplicate and unknown members', `{"nonexistentMember":1,"nonexistentMember":[${valid}]}`],
  ];
  for (const [kind, body] of malformed) cases.push({ kind: `malformed: ${kind}`, body });
  return cases;
}
