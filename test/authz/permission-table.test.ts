/**
 * The permission table over every operation of every service Berth serves, generated from the
 * services themselves: an operation without an entry fails here. Then each operation is called
 * through its real client by one IAM user whose policy is swapped per case: with a policy that
 * allows everything but the operation's action, the call is AccessDenied, naming the action and
 * the resource the table derives; with a policy that allows exactly that action on exactly that
 * resource, it is not (it may fail otherwise: the placeholders name nothing that exists). A
 * root-only operation is refused to the user either way; one that authorizes itself (AssumeRole,
 * GetSessionToken) is left to its own tests.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as acm from '@aws-sdk/client-acm';
import * as cloudwatch from '@aws-sdk/client-cloudwatch';
import * as logs from '@aws-sdk/client-cloudwatch-logs';
import * as ecr from '@aws-sdk/client-ecr';
import * as ecs from '@aws-sdk/client-ecs';
import * as elbv2 from '@aws-sdk/client-elastic-load-balancing-v2';
import * as iam from '@aws-sdk/client-iam';
import * as secrets from '@aws-sdk/client-secrets-manager';
import * as ssm from '@aws-sdk/client-ssm';
import * as sts from '@aws-sdk/client-sts';
import { permissionTables } from '../../src/authz/permissions/index.js';
import { actionOf, type Service } from '../../src/edge/dispatch.js';
import type { Operation } from '../../src/edge/protocols/operation.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { signedRequest } from '../helpers/wire.js';
import { placeholderInput } from './placeholder-input.js';

type Credentials = { accessKeyId: string; secretAccessKey: string };
type Client = { send(command: unknown): Promise<unknown>; destroy(): void };

/** The SDK module and client class of each service, by signing name; Berth's own API has no SDK. */
const sdks: Record<string, { module: Record<string, unknown>; client: string }> = {
  ecs: { module: ecs as Record<string, unknown>, client: 'ECSClient' },
  ecr: { module: ecr as Record<string, unknown>, client: 'ECRClient' },
  secretsmanager: { module: secrets as Record<string, unknown>, client: 'SecretsManagerClient' },
  elasticloadbalancing: { module: elbv2 as Record<string, unknown>, client: 'ElasticLoadBalancingV2Client' },
  iam: { module: iam as Record<string, unknown>, client: 'IAMClient' },
  sts: { module: sts as Record<string, unknown>, client: 'STSClient' },
  ssm: { module: ssm as Record<string, unknown>, client: 'SSMClient' },
  acm: { module: acm as Record<string, unknown>, client: 'ACMClient' },
  monitoring: { module: cloudwatch as Record<string, unknown>, client: 'CloudWatchClient' },
  logs: { module: logs as Record<string, unknown>, client: 'CloudWatchLogsClient' },
};

const account = '000000000000';
const userName = 'table-runner';
const userArn = `arn:aws:iam::${account}:user/${userName}`;

interface Outcome {
  denied: boolean;
  message: string;
}

describe('the permission table', () => {
  let berth: TestBerth;
  let rootIam: iam.IAMClient;
  let userKeys: Credentials;
  const clients = new Map<string, Client>();

  before(async () => {
    berth = await startBerth();
    rootIam = new iam.IAMClient({ endpoint: berth.url, region: 'us-east-1', credentials: { accessKeyId: berth.config.rootAccessKeyId!, secretAccessKey: berth.config.rootSecretAccessKey! }, maxAttempts: 1 });
    await rootIam.send(new iam.CreateUserCommand({ UserName: userName }));
    const key = await rootIam.send(new iam.CreateAccessKeyCommand({ UserName: userName }));
    userKeys = { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
  });
  after(async () => {
    for (const client of clients.values()) client.destroy();
    rootIam.destroy();
    await berth.close();
  });

  const services = (): Service[] => [...berth.server.jsonServices, ...berth.server.queryServices];

  it('has an entry for every operation of every service Berth serves', () => {
    const missing: string[] = [];
    for (const service of services()) {
      const table = permissionTables.get(service.signingName);
      for (const name of service.operations.keys()) if (!table?.[name]) missing.push(`${service.signingName}:${name}`);
    }
    assert.deepEqual(missing, [], 'operations without a permission table entry');
    assert.ok(services().reduce((total, service) => total + service.operations.size, 0) > 150, 'the services were all found');
  });

  const clientOf = (signingName: string): Client => {
    let client = clients.get(signingName);
    if (!client) {
      const sdk = sdks[signingName]!;
      const Constructor = sdk.module[sdk.client] as new (config: object) => Client;
      // disableHostPrefix: Berth is one endpoint; operations with a host prefix (StartLiveTail's `stream-`) go there too.
      client = new Constructor({ endpoint: berth.url, region: 'us-east-1', credentials: userKeys, maxAttempts: 1, disableHostPrefix: true });
      clients.set(signingName, client);
    }
    return client;
  };

  /** Calls the operation as the user, through its SDK (or signed JSON for Berth's own API). */
  const call = async (service: Service, operation: Operation, input: Record<string, unknown>): Promise<Outcome> => {
    if (service.signingName === 'berth') {
      const response = await signedRequest(berth.url, {
        service: 'berth',
        target: `${(service as { targetPrefix: string }).targetPrefix}.${operation.name}`,
        body: JSON.stringify(input),
        credentials: userKeys,
      });
      return { denied: response.json.__type === 'AccessDeniedException', message: String(response.json.message ?? '') };
    }
    const Command = sdks[service.signingName]!.module[`${operation.name}Command`] as new (input: object) => unknown;
    try {
      await clientOf(service.signingName).send(new Command(input));
      return { denied: false, message: '' };
    } catch (error) {
      const { name, message } = error as Error;
      return { denied: name === 'AccessDeniedException' || name === 'AccessDenied', message };
    }
  };

  const setPolicy = (statement: Record<string, unknown>) =>
    rootIam.send(new iam.PutUserPolicyCommand({ UserName: userName, PolicyName: 'case', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }) }));

  it('denies each operation to a user allowed everything but its action, naming the action and the resource, and allows it with exactly that permission', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const service of services()) {
      const table = permissionTables.get(service.signingName)!;
      for (const operation of service.operations.values()) {
        const input = placeholderInput(operation.input, service.signingName, account);
        const permission = table[operation.name]!(input, { accountId: account, region: 'us-east-1' }, userArn);
        const action = permission.action ?? actionOf(service, operation);
        // What only the store can name (a secret an earlier case created, by its full ARN) is looked up as the edge does.
        const resolved = permission.resolve ? await berth.server.store.read((tx) => permission.resolve!(tx)) : {};
        const resources = resolved.resources ?? permission.resources;
        const label = `${action}(${JSON.stringify(input).slice(0, 120)})`;
        // AssumeRole and GetSessionToken decide in their handlers (the STS tests cover them); the table still names their resources.
        if (operation.authorizesItself) continue;
        if (operation.rootOnly) {
          // No policy can give a user what only root may do: refused with or without the action.
          for (const statement of [{ Effect: 'Allow', NotAction: action, Resource: '*' }, { Effect: 'Allow', Action: action, Resource: resources }]) {
            await setPolicy(statement);
            const outcome = await call(service, operation, input);
            if (!outcome.denied || outcome.message !== `User: ${userArn} is not authorized to perform: ${action} on resource: ${resources[0]}`) {
              failures.push(`${label}: root-only, yet answered '${outcome.message}' to a user`);
            }
          }
          checked++;
          continue;
        }
        if (action === 'sts:GetCallerIdentity') {
          // Needs no permission: allowed even under an explicit deny.
          await setPolicy({ Effect: 'Deny', Action: '*', Resource: '*' });
          if ((await call(service, operation, input)).denied) failures.push(`${label}: denied, though it needs no permission`);
          continue;
        }
        await setPolicy({ Effect: 'Allow', NotAction: action, Resource: '*' });
        const without = await call(service, operation, input);
        const expected = `User: ${userArn} is not authorized to perform: ${action} on resource: ${resources[0]} because no identity-based policy allows the ${action} action`;
        if (!without.denied) failures.push(`${label}: not denied without ${action}`);
        else if (without.message !== expected) failures.push(`${label}: denied with '${without.message}', expected '${expected}'`);

        await setPolicy({ Effect: 'Allow', Action: action, Resource: resources });
        const withIt = await call(service, operation, input);
        if (withIt.denied) failures.push(`${label}: denied with exactly ${action} on ${resources.join(', ')}: ${withIt.message}`);
        checked++;
      }
    }
    assert.deepEqual(failures, []);
    assert.ok(checked > 150, `${checked} operations were tried`);
  });
});
