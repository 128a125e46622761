/**
 * Account settings: PutAccountSetting, PutAccountSettingDefault, ListAccountSettings, DeleteAccountSetting.
 *
 * Settings are per account and Region. A principal's own setting wins over the account default,
 * which wins over the value AWS applies when nothing is set. The account default and the root
 * user's own setting are one and the same in ECS (setting the root user's value "modifies the
 * account setting for all users, roles, and the root user"), so both are stored as the default row
 * with the root user's ARN.
 */
import {
  SettingName,
  type DeleteAccountSettingRequest,
  type DeleteAccountSettingResponse,
  type ListAccountSettingsRequest,
  type ListAccountSettingsResponse,
  type PutAccountSettingDefaultRequest,
  type PutAccountSettingDefaultResponse,
  type PutAccountSettingRequest,
  type PutAccountSettingResponse,
  type Setting,
} from '@aws-sdk/client-ecs';
import { Arn } from '../core/arn.js';
import { withHelp } from '../core/errors.js';
import { rootPrincipalArn } from '../core/principal.js';
import type { Wire } from '../core/wire.js';
import type { RequestContext } from '../core/request-context.js';
import { versionOf, withVersionOf, type AccountSettingRecord } from '../store/types.js';
import type { EcsDeps } from './deps.js';
import { nextTokenOf, pageRequest } from './pagination.js';
import { invalidParameter, requireString } from './validate.js';

interface SettingRule {
  /** The values ECS accepts for the setting. */
  values: readonly string[];
  /** What AWS applies when neither the principal nor the account has set a value. */
  awsDefault: string;
  /** Only the root user may set it, and only for the whole account. */
  accountWide?: boolean;
  /** Managed by AWS on the customer's behalf: listed, never put or deleted. */
  awsManaged?: boolean;
}

const onOff = ['enabled', 'disabled'] as const;

/**
 * Every setting name ECS knows, with its accepted values and AWS's default. `dualStackIPv6` is
 * documented by ECS and accepted by the service although this SDK version's enum lacks it.
 */
const rules: Record<string, SettingRule> = {
  [SettingName.SERVICE_LONG_ARN_FORMAT]: { values: onOff, awsDefault: 'enabled' },
  [SettingName.TASK_LONG_ARN_FORMAT]: { values: onOff, awsDefault: 'enabled' },
  [SettingName.CONTAINER_INSTANCE_LONG_ARN_FORMAT]: { values: onOff, awsDefault: 'enabled' },
  [SettingName.AWSVPC_TRUNKING]: { values: onOff, awsDefault: 'disabled' },
  [SettingName.CONTAINER_INSIGHTS]: { values: ['enabled', 'disabled', 'enhanced'], awsDefault: 'disabled' },
  dualStackIPv6: { values: onOff, awsDefault: 'disabled' },
  [SettingName.FARGATE_FIPS_MODE]: { values: onOff, awsDefault: 'disabled', accountWide: true },
  [SettingName.FARGATE_TASK_RETIREMENT_WAIT_PERIOD]: { values: ['0', '7', '14'], awsDefault: '7', accountWide: true },
  [SettingName.FARGATE_EVENT_WINDOWS]: { values: onOff, awsDefault: 'disabled' },
  [SettingName.TAG_RESOURCE_AUTHORIZATION]: { values: ['on', 'off'], awsDefault: 'on' },
  [SettingName.DEFAULT_LOG_DRIVER_MODE]: { values: ['blocking', 'non-blocking'], awsDefault: 'non-blocking' },
  [SettingName.GUARD_DUTY_ACTIVATE]: { values: ['on', 'off'], awsDefault: 'off', awsManaged: true },
};

/** Listings go by name. */
const settingNames = Object.keys(rules).sort();

/** ECS's wording for an unknown name: `<name> should be one of [a,b,…]`, the names comma-separated without spaces. */
function checkName(name: string | undefined, field = 'name'): string {
  const given = requireString(name, field);
  if (!(given in rules)) {
    throw withHelp(invalidParameter(`${given} should be one of [${Object.keys(rules).join(',')}]`), { field, resource: given });
  }
  return given;
}

function checkValue(name: string, value: string | undefined): string {
  const given = requireString(value, 'value');
  const rule = rules[name] as SettingRule;
  if (!rule.values.includes(given)) {
    throw invalidParameter(`value '${given}' is not valid for the account setting ${name}; it takes ${rule.values.join(', ')}.`);
  }
  return given;
}

function checkWritable(name: string): void {
  if (rules[name]?.awsManaged) {
    throw invalidParameter(`The account setting ${name} is managed by AWS on your behalf and is read-only.`);
  }
}

/**
 * The principal a request acts on: the caller unless principalArn names another. Only the root user
 * may name another principal; a principal must be an IAM user, role or root user of the caller's account.
 */
function targetPrincipal(ctx: RequestContext, principalArn: string | undefined): string {
  if (principalArn === undefined || principalArn === '' || principalArn === ctx.principal.arn) return ctx.principal.arn;
  const arn = Arn.parse(principalArn);
  const isIamPrincipal = arn !== undefined && arn.service === 'iam' && arn.region === '' && /^(root|user\/.+|role\/.+)$/.test(arn.resource);
  if (!isIamPrincipal) {
    throw invalidParameter(`principalArn '${principalArn}' is not the ARN of an IAM user, role or root user.`);
  }
  if (arn.accountId !== ctx.scope.accountId) {
    throw invalidParameter(`principalArn '${principalArn}' is not a principal of account ${ctx.scope.accountId}.`);
  }
  if (!ctx.principal.isRoot) {
    throw invalidParameter(
      `principalArn '${principalArn}' is not the authenticated principal; only the root user can act on the account settings of another principal.`,
    );
  }
  return principalArn;
}

function present(record: Pick<AccountSettingRecord, 'name' | 'value' | 'principalArn' | 'type'>): Wire<Setting> {
  return { name: record.name as SettingName, value: record.value, principalArn: record.principalArn, type: record.type };
}

export function accountSettingOperations(deps: EcsDeps) {
  const { store } = deps;

  async function put(ctx: RequestContext, name: string, value: string, principalArn: string): Promise<Wire<Setting>> {
    const root = rootPrincipalArn(ctx.scope.accountId);
    const record: AccountSettingRecord = {
      accountId: ctx.scope.accountId,
      region: ctx.scope.region,
      principalArn,
      isDefault: principalArn === root,
      name,
      value,
      type: 'user',
    };
    await store.write(async (tx) => {
      // Setting a value replaces the one stored, whose version the write compares.
      const current = (await tx.accountSettings.list(record.accountId, record.region)).find(
        (setting) => setting.name === name && setting.principalArn === principalArn && setting.isDefault === record.isDefault,
      );
      await tx.accountSettings.put(withVersionOf(record, current));
    });
    return present(record);
  }

  return {
    async PutAccountSetting(input: Wire<PutAccountSettingRequest>, ctx: RequestContext): Promise<Wire<PutAccountSettingResponse>> {
      const name = checkName(input.name);
      checkWritable(name);
      const value = checkValue(name, input.value);
      const principalArn = targetPrincipal(ctx, input.principalArn);
      if (rules[name]?.accountWide && principalArn !== rootPrincipalArn(ctx.scope.accountId)) {
        throw invalidParameter(`The account setting ${name} applies to the whole account: only the root user can set it, for the root user.`);
      }
      return { setting: await put(ctx, name, value, principalArn) };
    },

    async PutAccountSettingDefault(
      input: Wire<PutAccountSettingDefaultRequest>,
      ctx: RequestContext,
    ): Promise<Wire<PutAccountSettingDefaultResponse>> {
      const name = checkName(input.name);
      checkWritable(name);
      const value = checkValue(name, input.value);
      return { setting: await put(ctx, name, value, rootPrincipalArn(ctx.scope.accountId)) };
    },

    async DeleteAccountSetting(input: Wire<DeleteAccountSettingRequest>, ctx: RequestContext): Promise<Wire<DeleteAccountSettingResponse>> {
      const name = checkName(input.name);
      checkWritable(name);
      const principalArn = targetPrincipal(ctx, input.principalArn);
      const isDefault = principalArn === rootPrincipalArn(ctx.scope.accountId);
      return store.write(async (tx) => {
        const existing = (await tx.accountSettings.list(ctx.scope.accountId, ctx.scope.region)).find(
          (setting) => setting.name === name && setting.principalArn === principalArn && setting.isDefault === isDefault,
        );
        // Deleting a setting that is not set succeeds and changes nothing; the answer then carries no value.
        if (!existing) return { setting: { name: name as SettingName, principalArn, type: 'user' } };
        await tx.accountSettings.delete(ctx.scope.accountId, ctx.scope.region, principalArn, isDefault, name, versionOf(existing));
        return { setting: present(existing) };
      });
    },

    async ListAccountSettings(input: Wire<ListAccountSettingsRequest>, ctx: RequestContext): Promise<Wire<ListAccountSettingsResponse>> {
      const name = input.name === undefined ? undefined : checkName(input.name);
      if (input.value !== undefined && name === undefined) {
        throw invalidParameter('value can only be given together with name: name the account setting whose value you filter by.');
      }
      const principalArn = targetPrincipal(ctx, input.principalArn);
      const page = pageRequest(input, 10, 10);
      const root = rootPrincipalArn(ctx.scope.accountId);
      const stored = await store.read((tx) => tx.accountSettings.list(ctx.scope.accountId, ctx.scope.region));
      const own = new Map(stored.filter((s) => s.principalArn === principalArn && s.isDefault === (principalArn === root)).map((s) => [s.name, s]));
      const defaults = new Map(stored.filter((s) => s.isDefault).map((s) => [s.name, s]));

      let settings: Wire<Setting>[];
      if (input.effectiveSettings) {
        settings = settingNames.map((settingName) => {
          const found = own.get(settingName) ?? defaults.get(settingName);
          if (found) return present(found);
          const rule = rules[settingName] as SettingRule;
          return present({ name: settingName, value: rule.awsDefault, principalArn: root, type: rule.awsManaged ? 'aws_managed' : 'user' });
        });
      } else {
        settings = settingNames.flatMap((settingName) => {
          const found = own.get(settingName);
          return found ? [present(found)] : [];
        });
      }
      settings = settings.filter((s) => (name === undefined || s.name === name) && (input.value === undefined || s.value === input.value));

      const start = page.after === undefined ? 0 : settings.findIndex((s) => (s.name as string) > (page.after as string));
      const slice = start === -1 ? [] : settings.slice(start, start + page.limit);
      const more = start !== -1 && start + page.limit < settings.length;
      const last = slice[slice.length - 1];
      return { settings: slice, ...nextTokenOf({ items: slice, ...(more && last ? { next: last.name as string } : {}) }) };
    },
  };
}
