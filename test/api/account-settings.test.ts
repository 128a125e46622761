import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  DeleteAccountSettingCommand,
  ListAccountSettingsCommand,
  PutAccountSettingCommand,
  PutAccountSettingDefaultCommand,
  type ECSClient,
  type ListAccountSettingsCommandInput,
  type Setting,
  type SettingName,
} from '@aws-sdk/client-ecs';
import { AttachUserPolicyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';

const root = 'arn:aws:iam::000000000000:root';
const alice = 'arn:aws:iam::000000000000:user/alice';
const bob = 'arn:aws:iam::000000000000:user/bob';
const aliceKeys = { accessKeyId: 'AKIATESTALICE0000001', secretAccessKey: 'alice-secret-key-for-berth-tests-0000001' };

async function rejects(promise: Promise<unknown>, name: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: Error) => {
    assert.equal(error.name, name, `expected ${name}, got ${error.name}: ${error.message}`);
    assert.match(error.message, message);
    return true;
  });
}

const byName = (settings: Setting[] | undefined) => new Map((settings ?? []).map((setting) => [setting.name as string, setting]));

async function listAll(client: ECSClient, input: ListAccountSettingsCommandInput): Promise<Setting[]> {
  const settings: Setting[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await client.send(new ListAccountSettingsCommand({ ...input, ...(nextToken ? { nextToken } : {}) }));
    settings.push(...(page.settings ?? []));
    nextToken = page.nextToken;
    assert.ok(++pages < 20, 'pagination does not end');
  } while (nextToken);
  return settings;
}

describe('account settings', () => {
  let berth: TestBerth;
  let ecs: ECSClient;
  let asAlice: ECSClient;

  before(async () => {
    berth = await startBerth();
    // Alice is an IAM user allowed everything: policies are enforced, and these tests are about settings.
    const iam = new IAMClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    await iam.send(new CreateUserCommand({ UserName: 'alice' }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    iam.destroy();
    await berth.server.store.write((tx) =>
      tx.credentials.put({ ...aliceKeys, accountId: '000000000000', principalArn: alice, isRoot: false, createdAt: 0 }),
    );
    ecs = berth.ecs();
    asAlice = berth.ecs('us-east-1', aliceKeys);
  });
  after(async () => berth.close());

  it('puts a setting for the caller and lists it', async () => {
    const put = await ecs.send(new PutAccountSettingCommand({ name: 'awsvpcTrunking', value: 'enabled' }));
    assert.deepEqual(put.setting, { name: 'awsvpcTrunking', value: 'enabled', principalArn: root, type: 'user' });

    const listed = await ecs.send(new ListAccountSettingsCommand({ name: 'awsvpcTrunking' }));
    assert.deepEqual(listed.settings, [{ name: 'awsvpcTrunking', value: 'enabled', principalArn: root, type: 'user' }]);

    // Without effectiveSettings, only what was set for the principal is listed.
    const aliceOwn = await asAlice.send(new ListAccountSettingsCommand({}));
    assert.deepEqual(aliceOwn.settings, []);
    await ecs.send(new DeleteAccountSettingCommand({ name: 'awsvpcTrunking' }));
  });

  it('lists effective settings: own value, else the account default, else the AWS default', async () => {
    const initial = byName(await listAll(asAlice, { effectiveSettings: true }));
    assert.equal(initial.get('containerInsights')?.value, 'disabled');
    assert.equal(initial.get('fargateTaskRetirementWaitPeriod')?.value, '7');
    assert.equal(initial.get('defaultLogDriverMode')?.value, 'non-blocking');
    assert.equal(initial.get('serviceLongArnFormat')?.value, 'enabled');
    assert.equal(initial.get('tagResourceAuthorization')?.value, 'on');
    assert.equal(initial.get('guardDutyActivate')?.type, 'aws_managed');
    assert.equal(initial.get('containerInsights')?.principalArn, root);
    assert.ok(initial.size >= 11, `every setting name is listed, got ${[...initial.keys()].join(', ')}`);

    const defaulted = await ecs.send(new PutAccountSettingDefaultCommand({ name: 'containerInsights', value: 'enhanced' }));
    assert.deepEqual(defaulted.setting, { name: 'containerInsights', value: 'enhanced', principalArn: root, type: 'user' });
    let effective = byName(await listAll(asAlice, { effectiveSettings: true }));
    assert.equal(effective.get('containerInsights')?.value, 'enhanced');
    assert.equal(effective.get('containerInsights')?.principalArn, root);

    const own = await asAlice.send(new PutAccountSettingCommand({ name: 'containerInsights', value: 'disabled' }));
    assert.deepEqual(own.setting, { name: 'containerInsights', value: 'disabled', principalArn: alice, type: 'user' });
    effective = byName(await listAll(asAlice, { effectiveSettings: true }));
    assert.deepEqual(effective.get('containerInsights'), { name: 'containerInsights', value: 'disabled', principalArn: alice, type: 'user' });

    // The root user still sees the default it set.
    const rootView = await ecs.send(new ListAccountSettingsCommand({ name: 'containerInsights', effectiveSettings: true }));
    assert.deepEqual(rootView.settings, [{ name: 'containerInsights', value: 'enhanced', principalArn: root, type: 'user' }]);

    // Deleting alice's own setting falls back to the default; deleting the default falls back to AWS's.
    const deleted = await asAlice.send(new DeleteAccountSettingCommand({ name: 'containerInsights' }));
    assert.deepEqual(deleted.setting, { name: 'containerInsights', value: 'disabled', principalArn: alice, type: 'user' });
    effective = byName(await listAll(asAlice, { effectiveSettings: true }));
    assert.equal(effective.get('containerInsights')?.value, 'enhanced');
    await ecs.send(new DeleteAccountSettingCommand({ name: 'containerInsights', principalArn: root }));
    effective = byName(await listAll(asAlice, { effectiveSettings: true }));
    assert.equal(effective.get('containerInsights')?.value, 'disabled');
  });

  it('filters by name and value, and pages at most 10 at a time', async () => {
    const filtered = await ecs.send(new ListAccountSettingsCommand({ name: 'containerInsights', value: 'enabled', effectiveSettings: true }));
    assert.deepEqual(filtered.settings, []);
    const matching = await ecs.send(new ListAccountSettingsCommand({ name: 'containerInsights', value: 'disabled', effectiveSettings: true }));
    assert.equal(matching.settings?.length, 1);

    const first = await ecs.send(new ListAccountSettingsCommand({ effectiveSettings: true }));
    assert.equal(first.settings?.length, 10);
    assert.ok(first.nextToken);
    const paged = await listAll(ecs, { effectiveSettings: true, maxResults: 3 });
    const names = paged.map((setting) => setting.name);
    assert.equal(new Set(names).size, names.length, 'no setting twice');
    assert.deepEqual([...names].sort(), [...byName(await listAll(ecs, { effectiveSettings: true })).keys()].sort());

    await rejects(ecs.send(new ListAccountSettingsCommand({ maxResults: 11 })), 'InvalidParameterException', /maxResults/);
    await rejects(ecs.send(new ListAccountSettingsCommand({ value: 'enabled' })), 'InvalidParameterException', /value.*name/);
    await rejects(ecs.send(new ListAccountSettingsCommand({ nextToken: 'garbage!' })), 'InvalidParameterException', /nextToken/);
  });

  it('lets only the root user act for another principal', async () => {
    const forBob = await ecs.send(new PutAccountSettingCommand({ name: 'taskLongArnFormat', value: 'disabled', principalArn: bob }));
    assert.deepEqual(forBob.setting, { name: 'taskLongArnFormat', value: 'disabled', principalArn: bob, type: 'user' });
    const bobs = await ecs.send(new ListAccountSettingsCommand({ principalArn: bob }));
    assert.deepEqual(bobs.settings, [{ name: 'taskLongArnFormat', value: 'disabled', principalArn: bob, type: 'user' }]);
    const bobEffective = byName(await listAll(ecs, { principalArn: bob, effectiveSettings: true }));
    assert.equal(bobEffective.get('taskLongArnFormat')?.value, 'disabled');
    assert.equal(bobEffective.get('serviceLongArnFormat')?.value, 'enabled');

    await rejects(
      asAlice.send(new PutAccountSettingCommand({ name: 'taskLongArnFormat', value: 'enabled', principalArn: bob })),
      'InvalidParameterException',
      /principalArn.*only the root user/,
    );
    await rejects(asAlice.send(new ListAccountSettingsCommand({ principalArn: bob })), 'InvalidParameterException', /principalArn/);
    await rejects(
      asAlice.send(new DeleteAccountSettingCommand({ name: 'taskLongArnFormat', principalArn: bob })),
      'InvalidParameterException',
      /principalArn/,
    );
    await rejects(
      asAlice.send(new PutAccountSettingCommand({ name: 'taskLongArnFormat', value: 'enabled', principalArn: root })),
      'InvalidParameterException',
      /principalArn/,
    );
    // Naming oneself is always allowed.
    const self = await asAlice.send(new PutAccountSettingCommand({ name: 'taskLongArnFormat', value: 'enabled', principalArn: alice }));
    assert.equal(self.setting?.principalArn, alice);
    await rejects(
      ecs.send(new PutAccountSettingCommand({ name: 'taskLongArnFormat', value: 'enabled', principalArn: 'arn:aws:iam::111111111111:user/eve' })),
      'InvalidParameterException',
      /principalArn.*111111111111/,
    );
    await rejects(
      ecs.send(new PutAccountSettingCommand({ name: 'taskLongArnFormat', value: 'enabled', principalArn: 'not-an-arn' })),
      'InvalidParameterException',
      /principalArn 'not-an-arn'/,
    );
  });

  it('checks names and values per setting', async () => {
    // ECS's wording: the name given, then every name it knows, comma-separated.
    const known =
      '[serviceLongArnFormat,taskLongArnFormat,containerInstanceLongArnFormat,awsvpcTrunking,containerInsights,dualStackIPv6,fargateFIPSMode,' +
      'fargateTaskRetirementWaitPeriod,fargateEventWindows,tagResourceAuthorization,defaultLogDriverMode,guardDutyActivate]';
    for (const send of [
      () => ecs.send(new PutAccountSettingCommand({ name: 'bogus' as SettingName, value: 'enabled' })),
      () => ecs.send(new ListAccountSettingsCommand({ name: 'bogus' as SettingName })),
    ]) {
      await assert.rejects(send(), (error: Error & { berthHelp?: { field?: string; resource?: string } }) => {
        assert.equal(error.name, 'InvalidParameterException');
        assert.equal(error.message, `bogus should be one of ${known}`);
        assert.deepEqual(error.berthHelp, { field: 'name', resource: 'bogus' });
        return true;
      });
    }
    await rejects(ecs.send(new PutAccountSettingCommand({ name: 'containerInsights', value: 'on' })), 'InvalidParameterException', /value 'on'.*containerInsights/);
    await rejects(ecs.send(new PutAccountSettingCommand({ name: 'containerInsights', value: undefined as unknown as string })), 'InvalidParameterException', /value can not be blank/);
    await rejects(ecs.send(new PutAccountSettingDefaultCommand({ name: 'tagResourceAuthorization', value: 'enabled' })), 'InvalidParameterException', /on, off/);
    await rejects(ecs.send(new PutAccountSettingDefaultCommand({ name: 'defaultLogDriverMode', value: 'nonblocking' })), 'InvalidParameterException', /blocking, non-blocking/);
    await rejects(ecs.send(new PutAccountSettingCommand({ name: 'fargateTaskRetirementWaitPeriod', value: '5' })), 'InvalidParameterException', /0, 7, 14/);
    await rejects(ecs.send(new PutAccountSettingCommand({ name: 'guardDutyActivate', value: 'on' })), 'InvalidParameterException', /read-only/);
    await rejects(ecs.send(new DeleteAccountSettingCommand({ name: 'guardDutyActivate' })), 'InvalidParameterException', /read-only/);

    const wait = await ecs.send(new PutAccountSettingCommand({ name: 'fargateTaskRetirementWaitPeriod', value: '14' }));
    assert.deepEqual(wait.setting, { name: 'fargateTaskRetirementWaitPeriod', value: '14', principalArn: root, type: 'user' });
    await rejects(
      asAlice.send(new PutAccountSettingCommand({ name: 'fargateTaskRetirementWaitPeriod', value: '0' })),
      'InvalidParameterException',
      /only the root user/,
    );
    const logMode = await ecs.send(new PutAccountSettingDefaultCommand({ name: 'defaultLogDriverMode', value: 'blocking' }));
    assert.equal(logMode.setting?.value, 'blocking');
    const dualStack = await ecs.send(new PutAccountSettingCommand({ name: 'dualStackIPv6' as SettingName, value: 'enabled' }));
    assert.equal(dualStack.setting?.value, 'enabled');
  });

  it('keeps settings per Region and uses the containerInsights default for new clusters', async () => {
    await ecs.send(new PutAccountSettingDefaultCommand({ name: 'containerInsights', value: 'enabled' }));
    const elsewhere = await berth.ecs('eu-west-1').send(new ListAccountSettingsCommand({ name: 'containerInsights', effectiveSettings: true }));
    assert.equal(elsewhere.settings?.[0]?.value, 'disabled');
    const here = await ecs.send(new ListAccountSettingsCommand({ name: 'containerInsights', effectiveSettings: true }));
    assert.equal(here.settings?.[0]?.value, 'enabled');

    const created = await ecs.send(new CreateClusterCommand({ clusterName: 'insights' }));
    assert.deepEqual(created.cluster?.settings, [{ name: 'containerInsights', value: 'enabled' }]);
  });

  it('deletes a setting that is not set without error', async () => {
    const result = await asAlice.send(new DeleteAccountSettingCommand({ name: 'fargateEventWindows' }));
    assert.equal(result.setting?.name, 'fargateEventWindows');
    assert.equal(result.setting?.principalArn, alice);
    assert.equal(result.setting?.value, undefined);
  });
});
