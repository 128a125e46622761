/**
 * Access keys: real credentials in Berth's credentials table (principal: the user's ARN), so
 * signature verification accepts them the moment they are created, refuses them the moment they
 * are made Inactive (sigv4.ts) and forgets them the moment they are deleted. A user holds at most
 * two, as in IAM. Without a UserName the caller's own keys are meant (the root user's for root).
 */
import type {
  AccessKeyMetadata,
  CreateAccessKeyRequest,
  CreateAccessKeyResponse,
  DeleteAccessKeyRequest,
  GetAccessKeyLastUsedRequest,
  GetAccessKeyLastUsedResponse,
  ListAccessKeysRequest,
  ListAccessKeysResponse,
  UpdateAccessKeyRequest,
} from '@aws-sdk/client-iam';
import { newAccessKeyId, newSecretAccessKey } from '../core/ids.js';
import type { RequestContext } from '../core/request-context.js';
import type { CredentialRecord } from '../store/contract/core.js';
import type { StoreTx } from '../store/types.js';
import type { IamDeps } from './deps.js';
import { epochSeconds } from './entities.js';
import { constraintError, limitExceeded, noSuchEntityMessage } from './errors.js';
import { entityOf } from './lookup.js';
import { pageOf } from './pagination.js';
import { dateOf } from './present.js';
import { checkUserName } from './users.js';

const keysPerUser = 2;

/** Whose keys an operation means: the named user's, or the caller's own. */
async function ownerOf(tx: StoreTx, ctx: RequestContext, userName: string | undefined): Promise<{ principalArn: string; userName: string; isRoot: boolean; principalId?: string }> {
  if (userName !== undefined) {
    const user = await entityOf(tx, ctx, 'user', checkUserName(userName));
    return { principalArn: user.arn, userName: user.name, isRoot: false, principalId: user.id };
  }
  const own = /:user(?:\/.*)?\/([^/]+)$/.exec(ctx.principal.arn);
  return { principalArn: ctx.principal.arn, userName: own?.[1] ?? ctx.principal.accountId, isRoot: ctx.principal.isRoot };
}

function checkAccessKeyId(id: string | undefined): string {
  const value = id ?? '';
  if (value.length < 16 || value.length > 128) throw constraintError('accessKeyId', value, 'Member must have length greater than or equal to 16');
  if (!/^[\w]+$/.test(value)) throw constraintError('accessKeyId', value, 'Member must satisfy regular expression pattern: [\\w]+');
  return value;
}

/** The caller's account's key `id` held by `principalArn`, or NoSuchEntity. */
async function keyOf(tx: StoreTx, ctx: RequestContext, principalArn: string, id: string): Promise<CredentialRecord> {
  const key = await tx.credentials.get(id);
  if (!key || key.accountId !== ctx.principal.accountId || key.principalArn !== principalArn) throw noSuchEntityMessage(`The Access Key with id ${id} cannot be found.`);
  return key;
}

const statusOf = (key: CredentialRecord): 'Active' | 'Inactive' => key.status ?? 'Active';

export function accessKeyOperations({ store, clock }: IamDeps) {
  return {
    async CreateAccessKey(input: CreateAccessKeyRequest, ctx: RequestContext): Promise<CreateAccessKeyResponse> {
      const createdAt = epochSeconds(clock);
      const key = await store.write(async (tx) => {
        const owner = await ownerOf(tx, ctx, input.UserName);
        if ((await tx.credentials.forPrincipal(owner.principalArn)).length >= keysPerUser) throw limitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${keysPerUser}`);
        const record: CredentialRecord = {
          accessKeyId: newAccessKeyId(),
          secretAccessKey: newSecretAccessKey(),
          accountId: ctx.principal.accountId,
          principalArn: owner.principalArn,
          isRoot: owner.isRoot,
          createdAt,
          status: 'Active',
          ...(owner.principalId !== undefined ? { principalId: owner.principalId } : ctx.principal.uniqueId !== undefined ? { principalId: ctx.principal.uniqueId } : {}),
        };
        await tx.credentials.put(record);
        return { record, userName: owner.userName };
      });
      return {
        AccessKey: {
          UserName: key.userName,
          AccessKeyId: key.record.accessKeyId,
          Status: 'Active',
          SecretAccessKey: key.record.secretAccessKey,
          CreateDate: dateOf(createdAt),
        },
      };
    },

    async ListAccessKeys(input: ListAccessKeysRequest, ctx: RequestContext): Promise<ListAccessKeysResponse> {
      const { keys, userName } = await store.read(async (tx) => {
        const owner = await ownerOf(tx, ctx, input.UserName);
        return { keys: await tx.credentials.forPrincipal(owner.principalArn), userName: owner.userName };
      });
      const metadata: AccessKeyMetadata[] = keys.map((key) => ({ UserName: userName, AccessKeyId: key.accessKeyId, Status: statusOf(key), CreateDate: dateOf(key.createdAt) }));
      const { items, ...page } = pageOf(metadata, input);
      return { AccessKeyMetadata: items, ...page };
    },

    async UpdateAccessKey(input: UpdateAccessKeyRequest, ctx: RequestContext): Promise<Record<string, never>> {
      const id = checkAccessKeyId(input.AccessKeyId);
      const status = input.Status as string | undefined;
      if (status !== 'Active' && status !== 'Inactive') throw constraintError('status', status, 'Member must satisfy enum value set: [Active, Inactive, Expired]');
      await store.write(async (tx) => {
        const owner = await ownerOf(tx, ctx, input.UserName);
        const key = await keyOf(tx, ctx, owner.principalArn, id);
        await tx.credentials.put({ ...key, status });
      });
      return {};
    },

    async DeleteAccessKey(input: DeleteAccessKeyRequest, ctx: RequestContext): Promise<Record<string, never>> {
      const id = checkAccessKeyId(input.AccessKeyId);
      await store.write(async (tx) => {
        const owner = await ownerOf(tx, ctx, input.UserName);
        await keyOf(tx, ctx, owner.principalArn, id);
        await tx.credentials.delete(id);
      });
      return {};
    },

    async GetAccessKeyLastUsed(input: GetAccessKeyLastUsedRequest, ctx: RequestContext): Promise<GetAccessKeyLastUsedResponse> {
      const id = checkAccessKeyId(input.AccessKeyId);
      const key = await store.read((tx) => tx.credentials.get(id));
      // IAM answers AccessDenied for a key of another account; Berth answers as for an unknown one.
      if (!key || key.accountId !== ctx.principal.accountId) throw noSuchEntityMessage(`The Access Key with id ${id} cannot be found.`);
      const userName = /:user(?:\/.*)?\/([^/]+)$/.exec(key.principalArn)?.[1];
      // Recorded by signature verification to within an hour (edge/key-use.ts); IAM's N/A for a key never used.
      const lastUsed = key.lastUsed
        ? { LastUsedDate: dateOf(key.lastUsed.at), ServiceName: key.lastUsed.service, Region: key.lastUsed.region }
        : { ServiceName: 'N/A', Region: 'N/A' };
      return { ...(userName ? { UserName: userName } : {}), AccessKeyLastUsed: lastUsed };
    },
  };
}
