/**
 * Fuzzes every operation of every AWS JSON service the server composes, over real HTTP with real
 * signatures: empty, generated, type-confused and malformed inputs. Nothing may answer 5xx, drop
 * the connection or answer an error that is not AWS-shaped, and the server must be healthy after.
 * A service added to the server joins by construction. The seed is printed; replay a failure with
 * BERTH_FUZZ_SEED=<seed>.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { CreateClusterCommand, ListClustersCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { seededRng } from '../../src/core/rng.js';
import type { JsonService } from '../../src/edge/protocols/aws-json.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { fuzzCases, type FuzzCase } from './inputs.js';

const seed = process.env.BERTH_FUZZ_SEED ? Number(process.env.BERTH_FUZZ_SEED) : Date.now() % 2 ** 31;
/** Generated and type-confused inputs per operation, besides the empty and malformed ones; BERTH_FUZZ_SCALE multiplies them for a longer hunt. */
const scale = Math.max(1, Number(process.env.BERTH_FUZZ_SCALE ?? 1) || 1);
const counts = { generated: 12 * scale, confused: 6 * scale };
const concurrency = 4;
/** Past this, no new case starts: the suite stays bounded on a slow machine. */
const budgetMs = 60_000 * scale;
/** An answer slower than this counts as a hang. */
const answerWithinMs = 15_000;

interface Outcome {
  service: string;
  operation: string;
  kind: string;
  status: number | 'dropped' | 'hung';
  body: string;
}

/** A per-operation stream of randomness, so one operation's cases replay whatever runs beside them. */
function seedFor(operation: string): number {
  let hash = seed >>> 0;
  for (const char of operation) hash = (Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0) + 1;
  return hash >>> 0;
}

async function send(url: string, service: JsonService, operation: string, body: string): Promise<{ status: number; text: string }> {
  const endpoint = new URL(url);
  const signer = new SignatureV4({ credentials: testCredentials, region: 'us-east-1', service: service.signingName, sha256: Hash.bind(null, 'sha256'), applyChecksum: false });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname: endpoint.hostname,
      port: Number(endpoint.port),
      path: '/',
      headers: { host: endpoint.host, 'content-type': `application/x-amz-json-${service.jsonVersion}`, 'x-amz-target': `${service.targetPrefix}.${operation}` },
      body,
    }),
  );
  const { host: _host, ...headers } = signed.headers;
  const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(answerWithinMs) });
  return { status: response.status, text: await response.text() };
}

/** Errors AWS itself answers with an empty message; Berth matches it, with its help in berthHelp. */
const emptyInAws = new Set(['ParameterNotFound']);

/** What is wrong with an answer, if anything. */
function problemWith(outcome: Outcome): string | undefined {
  if (outcome.status === 'dropped') return 'the connection was dropped without a complete answer';
  if (outcome.status === 'hung') return `no answer within ${answerWithinMs} ms`;
  if (outcome.status >= 500) return `answered ${outcome.status}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(outcome.body);
  } catch {
    return `answered ${outcome.status} with a body that is not JSON`;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return `answered ${outcome.status} with a body that is not a JSON object`;
  if (outcome.status >= 400) {
    const error = parsed as Record<string, unknown>;
    if (typeof error.__type !== 'string' || error.__type === '') return `answered ${outcome.status} without a __type`;
    if (typeof error.message !== 'string') return `answered ${outcome.status} (${error.__type}) without a message`;
    if (error.message === '' && !(emptyInAws.has(error.__type) && typeof error.berthHelp === 'object')) return `answered ${outcome.status} (${error.__type}) without a message`;
  }
  return undefined;
}

describe('fuzzing every operation of every JSON service', () => {
  let berth: TestBerth;
  before(async () => {
    berth = await startBerth();
    // The fixtures plausible inputs name, so that some reach past the lookups.
    await berth.ecs().send(new CreateClusterCommand({ clusterName: 'fuzz' }));
    await berth.ecs().send(new RegisterTaskDefinitionCommand({ family: 'fuzz', containerDefinitions: [{ name: 'main', image: 'busybox', memory: 64 }] }));
    await berth.ecr().send(new CreateRepositoryCommand({ repositoryName: 'fuzz' }));
    await berth.secretsManager().send(new CreateSecretCommand({ Name: 'fuzz', SecretString: '{"username":"u","password":"p"}' }));
  });
  after(async () => berth.close());

  it('never answers 5xx, never drops a connection, answers every error in the AWS shape, and stays healthy', async (t) => {
    t.diagnostic(`seed ${seed} (replay with BERTH_FUZZ_SEED=${seed})`);
    const started = Date.now();
    const queue: { service: JsonService; operation: string; fuzz: FuzzCase }[] = [];
    for (const service of berth.server.jsonServices) {
      for (const [operation, { input }] of service.operations) {
        const rng = seededRng(seedFor(`${service.targetPrefix}.${operation}`));
        for (const fuzz of fuzzCases(input, rng, counts)) queue.push({ service, operation, fuzz });
      }
    }
    const outcomes: Outcome[] = [];
    let next = 0;
    let outOfTime = false;
    const worker = async () => {
      while (next < queue.length) {
        if (Date.now() - started > budgetMs) {
          outOfTime = true;
          return;
        }
        const { service, operation, fuzz } = queue[next++]!;
        const outcome: Outcome = { service: service.id, operation, kind: fuzz.kind, status: 'dropped', body: '' };
        try {
          const { status, text } = await send(berth.url, service, operation, fuzz.body);
          outcome.status = status;
          outcome.body = text;
        } catch (error) {
          if ((error as Error).name === 'TimeoutError') outcome.status = 'hung';
          outcome.body = String((error as Error).cause ?? error);
        }
        outcomes.push(outcome);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));

    const statuses = new Map<string, number>();
    for (const outcome of outcomes) statuses.set(String(outcome.status), (statuses.get(String(outcome.status)) ?? 0) + 1);
    const operations = berth.server.jsonServices.reduce((sum, service) => sum + service.operations.size, 0);
    t.diagnostic(
      `${outcomes.length} requests over ${operations} operations of ${berth.server.jsonServices.map((service) => service.id).join(', ')} in ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s; statuses ${[...statuses].sort().map(([status, count]) => `${status}×${count}`).join(' ')}`,
    );
    const problems = outcomes.flatMap((outcome) => {
      const problem = problemWith(outcome);
      return problem ? [`${outcome.service} ${outcome.operation} (${outcome.kind}): ${problem}: ${outcome.body.slice(0, 300)}`] : [];
    });
    assert.deepEqual(problems, [], `seed ${seed}`);
    assert.ok(!outOfTime || outcomes.length > queue.length / 2, `only ${outcomes.length} of ${queue.length} cases ran within ${budgetMs} ms`);

    const health = await fetch(`${berth.url}/_berth/health`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status: string }).status, 'ok');
    const clusters = await berth.ecs().send(new ListClustersCommand({}));
    assert.ok(Array.isArray(clusters.clusterArns));
  });
});
