/** CreateSecret, DescribeSecret and UpdateSecret. */
import type {
  CreateSecretRequest,
  CreateSecretResponse,
  DescribeSecretRequest,
  DescribeSecretResponse,
  UpdateSecretRequest,
  UpdateSecretResponse,
} from '@aws-sdk/client-secrets-manager';
import { epochSeconds, type Wire } from '../core/wire.js';
import type { RequestContext } from '../core/request-context.js';
import type { SecretRecord } from '../store/types.js';
import { existingSecret, usableSecret, writeSecrets } from './access.js';
import type { Json, SecretsManagerDeps } from './deps.js';
import { invalidParameter, invalidRequest, resourceExists } from './errors.js';
import { newSecretArn } from './names.js';
import { describeSecret } from './present.js';
import { checkDescription, checkKmsKeyId, checkName, checkSecretId, checkTags, checkToken, checkValue } from './validate.js';
import { addVersion, currentStage, existingVersion } from './versions.js';

export function secretOperations(deps: SecretsManagerDeps) {
  return {
    async CreateSecret(input: Json<CreateSecretRequest>, ctx: RequestContext): Promise<Wire<CreateSecretResponse>> {
      const name = checkName(input.Name);
      const description = checkDescription(input.Description);
      const kmsKeyId = checkKmsKeyId(input.KmsKeyId);
      const value = checkValue(input);
      const token = checkToken(input.ClientRequestToken);
      const tags = checkTags(input.Tags);
      if ((input.AddReplicaRegions ?? []).length > 0) {
        throw invalidParameter('AddReplicaRegions: Berth keeps each secret in one region and does not replicate secrets.');
      }
      return writeSecrets(deps, ctx, async (tx) => {
        const now = epochSeconds(ctx.now);
        const existing = await tx.secrets.findByName(ctx.scope.accountId, ctx.scope.region, name);
        if (existing) {
          if (existing.deletedDate !== undefined) {
            throw invalidRequest("You can't create this secret because a secret with this name is already scheduled for deletion.");
          }
          // A retry of the request that created the secret (same token, same value) answers as it did.
          const retried = value && token ? await existingVersion(tx, existing, { versionId: token, value, stages: [currentStage] }) : undefined;
          if (retried) return { ARN: existing.arn, Name: existing.name, VersionId: retried.versionId };
          throw resourceExists(`The operation failed because the secret ${name} already exists.`);
        }
        const created: SecretRecord = {
          arn: await newSecretArn(tx, ctx.scope, name),
          name,
          accountId: ctx.scope.accountId,
          region: ctx.scope.region,
          ...(description ? { description } : {}),
          ...(kmsKeyId ? { kmsKeyId } : {}),
          tags,
          versions: [],
          createdDate: now,
          lastChangedDate: now,
        };
        const versionId = value ? (token ?? deps.ids.uuid()) : undefined;
        const record = value && versionId ? await addVersion(tx, created, { versionId, value, stages: [currentStage] }, now) : created;
        await tx.secrets.put(record);
        return { ARN: record.arn, Name: record.name, ...(versionId ? { VersionId: versionId } : {}) };
      });
    },

    async DescribeSecret(input: Wire<DescribeSecretRequest>, ctx: RequestContext): Promise<Wire<DescribeSecretResponse>> {
      const secretId = checkSecretId(input.SecretId);
      return deps.store.read(async (tx) => describeSecret(await existingSecret(tx, ctx, secretId)));
    },

    async UpdateSecret(input: Json<UpdateSecretRequest>, ctx: RequestContext): Promise<Wire<UpdateSecretResponse>> {
      const secretId = checkSecretId(input.SecretId);
      const description = checkDescription(input.Description);
      const kmsKeyId = checkKmsKeyId(input.KmsKeyId);
      const value = checkValue(input);
      const token = checkToken(input.ClientRequestToken);
      return writeSecrets(deps, ctx, async (tx) => {
        const now = epochSeconds(ctx.now);
        let record = await usableSecret(tx, ctx, secretId);
        if (description !== undefined || kmsKeyId !== undefined) {
          // An empty KmsKeyId returns the secret to the AWS managed key, which DescribeSecret does not name.
          record = {
            ...record,
            ...(description !== undefined ? { description: description || undefined } : {}),
            ...(kmsKeyId !== undefined ? { kmsKeyId: kmsKeyId || undefined } : {}),
            lastChangedDate: now,
          };
        }
        let versionId: string | undefined;
        if (value) {
          const wanted = { versionId: token ?? deps.ids.uuid(), value, stages: [currentStage] };
          const retried = await existingVersion(tx, record, wanted);
          if (!retried) record = await addVersion(tx, record, wanted, now);
          versionId = wanted.versionId;
        }
        await tx.secrets.put(record);
        return { ARN: record.arn, Name: record.name, ...(versionId ? { VersionId: versionId } : {}) };
      });
    },
  };
}
