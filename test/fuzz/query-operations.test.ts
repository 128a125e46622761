/**
 * Fuzzes every operation of every AWS Query service the server composes (STS, IAM, Elastic Load
 * Balancing), over real HTTP with real signatures: the inputs of the JSON fuzzer (inputs.ts)
 * flattened into Query parameters as the SDKs flatten them, type-confused ones included, and
 * malformed forms. Nothing may answer 5xx, drop the connection or answer an error that is not
 * AWS's XML error shape. Replay a failure with BERTH_FUZZ_SEED=<seed>.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateLoadBalancerCommand, CreateTargetGroupCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateGroupCommand, CreatePolicyCommand, CreateRoleCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { NormalizedSchema } from '@smithy/core/schema';
import { seededRng } from '../../src/core/rng.js';
import type { QueryService } from '../../src/edge/protocols/aws-query.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { fuzzCases } from './inputs.js';

const seed = process.env.BERTH_FUZZ_SEED ? Number(process.env.BERTH_FUZZ_SEED) : Date.now() % 2 ** 31;
const scale = Math.max(1, Number(process.env.BERTH_FUZZ_SCALE ?? 1) || 1);
const counts = { generated: 12 * scale, confused: 6 * scale };
const concurrency = 4;
const budgetMs = 60_000 * scale;
const answerWithinMs = 15_000;

function seedFor(operation: string): number {
  let hash = seed >>> 0;
  for (const char of operation) hash = (Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0) + 1;
  return hash >>> 0;
}

const wireName = (schema: NormalizedSchema, fallback: string) => {
  const name = schema.getMergedTraits().xmlName;
  return typeof name === 'string' ? name : fallback;
};

/**
 * A JSON value as Query parameters, following the schema where the value fits it and writing
 * whatever does not fit as text under the member's name (what a confused client would send).
 */
function flatten(value: unknown, schema: NormalizedSchema, name: string, into: [string, string][]): void {
  if (value === undefined) return;
  if (schema.isStructSchema() && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [member, memberSchema] of schema.structIterator()) {
      flatten((value as Record<string, unknown>)[member], memberSchema, `${name}${name ? '.' : ''}${wireName(memberSchema, member)}`, into);
    }
    return;
  }
  if (schema.isListSchema() && Array.isArray(value)) {
    if (value.length === 0) into.push([name, '']);
    const element = schema.getValueSchema();
    const prefix = schema.getMergedTraits().xmlFlattened ? name : `${name}.${wireName(element, 'member')}`;
    value.forEach((item, index) => flatten(item, element, `${prefix}.${index + 1}`, into));
    return;
  }
  if (schema.isMapSchema() && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    Object.entries(value as Record<string, unknown>).forEach(([key, item], index) => {
      into.push([`${name}.entry.${index + 1}.key`, key]);
      flatten(item, schema.getValueSchema(), `${name}.entry.${index + 1}.value`, into);
    });
    return;
  }
  into.push([name, typeof value === 'object' ? JSON.stringify(value) : String(value)]);
}

async function send(url: string, service: QueryService, body: string): Promise<{ status: number; text: string }> {
  const endpoint = new URL(url);
  const signer = new SignatureV4({ credentials: testCredentials, region: 'us-east-1', service: service.signingName, sha256: Hash.bind(null, 'sha256'), applyChecksum: false });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname: endpoint.hostname,
      port: Number(endpoint.port),
      path: '/',
      headers: { host: endpoint.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body,
    }),
  );
  const { host: _host, ...headers } = signed.headers;
  const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(answerWithinMs) });
  return { status: response.status, text: await response.text() };
}

function problemWith(status: number | 'dropped' | 'hung', body: string): string | undefined {
  if (status === 'dropped') return 'the connection was dropped without a complete answer';
  if (status === 'hung') return `no answer within ${answerWithinMs} ms`;
  if (status >= 500) return `answered ${status}`;
  if (!body.startsWith('<')) return `answered ${status} with a body that is not XML`;
  if (status >= 400 && !/^<ErrorResponse[^>]*><Error><Type>Sender<\/Type><Code>[A-Za-z.]+<\/Code><Message>[^<]+<\/Message>/.test(body)) {
    return `answered ${status} without the Query error shape`;
  }
  return undefined;
}

describe('fuzzing every operation of every Query service', () => {
  let berth: TestBerth;
  before(async () => {
    berth = await startBerth();
    const elb = new ElasticLoadBalancingV2Client({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    await elb.send(new CreateLoadBalancerCommand({ Name: 'fuzz' }));
    await elb.send(new CreateTargetGroupCommand({ Name: 'fuzz', Protocol: 'HTTP', Port: 80 }));
    elb.destroy();
    // Entities named `fuzz` so fuzzed IAM calls get past their lookups too.
    const iam = new IAMClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    const allowAll = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    await iam.send(new CreateUserCommand({ UserName: 'fuzz' }));
    await iam.send(new CreateGroupCommand({ GroupName: 'fuzz' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'fuzz', AssumeRolePolicyDocument: trust }));
    await iam.send(new CreatePolicyCommand({ PolicyName: 'fuzz', PolicyDocument: allowAll }));
    iam.destroy();
  });
  after(async () => berth.close());

  it('never answers 5xx, never drops a connection, answers every error in the Query XML shape, and stays healthy', async (t) => {
    t.diagnostic(`seed ${seed} (replay with BERTH_FUZZ_SEED=${seed})`);
    const started = Date.now();
    const queue: { service: QueryService; operation: string; kind: string; body: string }[] = [];
    for (const service of berth.server.queryServices) {
      for (const [operation, { input }] of service.operations) {
        const rng = seededRng(seedFor(`${service.id}.${operation}`));
        const envelope = `Action=${operation}&Version=${service.version}`;
        for (const fuzz of fuzzCases(input, rng, counts)) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(fuzz.body);
          } catch {
            continue;
          }
          const params: [string, string][] = [];
          flatten(parsed, input, '', params);
          queue.push({ service, operation, kind: fuzz.kind, body: `${envelope}&${new URLSearchParams(params).toString()}` });
        }
        for (const [kind, body] of [
          ['malformed: bad escapes', `${envelope}&Name=%zz%&%%`],
          ['malformed: list gap', `${envelope}&Names.member.2=a&Tags.member.1.Value=only-a-value`],
          ['malformed: deep name', `${envelope}&${'A.'.repeat(2000)}B=1`],
          ['malformed: many parameters', `${envelope}&${Array.from({ length: 3000 }, (_, index) => `Names.member.${index + 1}=n${index}`).join('&')}`],
          ['malformed: no version', `Action=${operation}`],
        ]) {
          queue.push({ service, operation, kind: kind as string, body: body as string });
        }
      }
    }
    const problems: string[] = [];
    const statuses = new Map<string, number>();
    let next = 0;
    let ran = 0;
    const worker = async () => {
      while (next < queue.length && Date.now() - started < budgetMs) {
        const { service, operation, kind, body } = queue[next++]!;
        let status: number | 'dropped' | 'hung' = 'dropped';
        let text = '';
        try {
          ({ status, text } = await send(berth.url, service, body));
        } catch (error) {
          if ((error as Error).name === 'TimeoutError') status = 'hung';
          text = String((error as Error).cause ?? error);
        }
        ran += 1;
        statuses.set(String(status), (statuses.get(String(status)) ?? 0) + 1);
        const problem = problemWith(status, text);
        if (problem) problems.push(`${service.id} ${operation} (${kind}): ${problem}: ${text.slice(0, 300)}`);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    t.diagnostic(`${ran} requests in ${((Date.now() - started) / 1000).toFixed(1)} s; statuses ${[...statuses].sort().map(([status, count]) => `${status}×${count}`).join(' ')}`);
    assert.deepEqual(problems, [], `seed ${seed}`);
    assert.ok(ran > queue.length / 2, `only ${ran} of ${queue.length} cases ran within ${budgetMs} ms`);
    const health = await fetch(`${berth.url}/_berth/health`);
    assert.equal(health.status, 200);
  });
});
