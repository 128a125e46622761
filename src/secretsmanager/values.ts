/** GetSecretValue and PutSecretValue. */
import type {
  GetSecretValueRequest,
  GetSecretValueResponse,
  PutSecretValueRequest,
  PutSecretValueResponse,
} from '@aws-sdk/client-secrets-manager';
import { epochSeconds, type Wire } from '../core/wire.js';
import type { RequestContext } from '../core/request-context.js';
import { usableSecret, writeSecrets } from './access.js';
import type { Json, SecretsManagerDeps } from './deps.js';
import { invalidRequest, versionNotFound } from './errors.js';
import { checkLength, checkSecretId, checkToken, checkValue, checkVersionStages } from './validate.js';
import { addVersion, currentStage, existingVersion, selectVersion } from './versions.js';

const secondsPerDay = 86400;

/** Secrets Manager records the day of the last access, not the moment. */
const dayOf = (now: Date) => Math.floor(epochSeconds(now) / secondsPerDay) * secondsPerDay;

export function valueOperations(deps: SecretsManagerDeps) {
  return {
    async GetSecretValue(input: Wire<GetSecretValueRequest>, ctx: RequestContext): Promise<Json<GetSecretValueResponse>> {
      const secretId = checkSecretId(input.SecretId);
      checkLength(input.VersionId, 'versionId', 32, 64);
      checkLength(input.VersionStage, 'versionStage', 1, 256);
      return writeSecrets(deps, ctx, async (tx) => {
        const record = await usableSecret(tx, ctx, secretId);
        const version = selectVersion(record, input.VersionId, input.VersionStage);
        const value = await tx.secrets.getValue(record.arn, version.versionId);
        if (!value) throw versionNotFound('VersionId', version.versionId);
        const today = dayOf(ctx.now);
        if (record.lastAccessedDate !== today) await tx.secrets.put({ ...record, lastAccessedDate: today });
        return {
          ARN: record.arn,
          Name: record.name,
          VersionId: version.versionId,
          ...(value.secretString !== undefined ? { SecretString: value.secretString } : { SecretBinary: value.secretBinary }),
          VersionStages: version.stages,
          CreatedDate: version.createdDate,
        };
      });
    },

    async PutSecretValue(input: Json<PutSecretValueRequest>, ctx: RequestContext): Promise<Wire<PutSecretValueResponse>> {
      const secretId = checkSecretId(input.SecretId);
      const token = checkToken(input.ClientRequestToken);
      const value = checkValue(input);
      if (!value) throw invalidRequest('You must provide either SecretString or SecretBinary.');
      const stages = checkVersionStages(input.VersionStages) ?? [currentStage];
      return writeSecrets(deps, ctx, async (tx) => {
        const record = await usableSecret(tx, ctx, secretId);
        const wanted = { versionId: token ?? deps.ids.uuid(), value, stages };
        const retried = await existingVersion(tx, record, wanted);
        if (retried) return { ARN: record.arn, Name: record.name, VersionId: retried.versionId, VersionStages: retried.stages };
        await tx.secrets.put(await addVersion(tx, record, wanted, epochSeconds(ctx.now)));
        return { ARN: record.arn, Name: record.name, VersionId: wanted.versionId, VersionStages: stages };
      });
    },
  };
}
