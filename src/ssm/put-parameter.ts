/**
 * PutParameter: a new parameter (Type required), or with Overwrite a new version of one. Each
 * version keeps its own value and metadata; at most 100 are kept, the oldest going first unless it
 * carries a label. Tiers: Standard (values up to 4096 characters), Advanced (8192), and
 * Intelligent-Tiering, which picks Standard when the value fits and Advanced otherwise; a parameter
 * once Advanced stays Advanced.
 */
import type { PutParameterRequest, PutParameterResult } from '@aws-sdk/client-ssm';
import { withHelp } from '../core/errors.js';
import type { RequestContext } from '../core/request-context.js';
import { epochSeconds, type Wire } from '../core/wire.js';
import type { SsmParameter, SsmParameterType, SsmParameterVersion, SsmTier, SsmVersionMetadata } from '../store/types.js';
import type { SsmDeps } from './deps.js';
import { alreadyExists, constraintFailed, invalidPattern, oldestVersionLabelled, patternMismatch, validation } from './errors.js';
import { checkNewName } from './names.js';
import { checkBoolean, checkLength, checkTags, requireMember } from './validate.js';

const types: readonly SsmParameterType[] = ['String', 'StringList', 'SecureString'];
const tiers = ['Standard', 'Advanced', 'Intelligent-Tiering'] as const;
const maxValue: Record<SsmTier, number> = { Standard: 4096, Advanced: 8192 };
const maxVersions = 100;
const defaultKeyId = 'alias/aws/ssm';

const overwriteWithTags = () =>
  validation(
    "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
  );

const standardTooLong = () =>
  validation(
    'Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html',
  );

function checkPattern(pattern: string | undefined): RegExp | undefined {
  if (pattern === undefined) return undefined;
  checkLength(pattern, 'allowedPattern', 0, 1024);
  try {
    // Java's String.matches, as Parameter Store applies it: the whole value must match.
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    throw invalidPattern(pattern);
  }
}

/** The tier a value is stored in, given the tier asked for and the parameter's current one. */
function tierFor(asked: (typeof tiers)[number] | undefined, value: string, current: SsmTier | undefined): SsmTier {
  if (asked === 'Standard' && current === 'Advanced') {
    throw withHelp(
      validation(
        "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.",
      ),
      { field: 'Tier' },
    );
  }
  const tier: SsmTier = asked === 'Advanced' || current === 'Advanced' ? 'Advanced' : asked === 'Standard' ? 'Standard' : value.length > maxValue.Standard && asked === 'Intelligent-Tiering' ? 'Advanced' : 'Standard';
  if (value.length > maxValue[tier]) {
    if (tier === 'Standard') throw standardTooLong();
    throw constraintFailed('value', value, `have length less than or equal to ${maxValue.Advanced}`, true);
  }
  return tier;
}

export function putParameterOperation(deps: SsmDeps) {
  return {
    async PutParameter(input: Wire<PutParameterRequest>, ctx: RequestContext): Promise<Wire<PutParameterResult>> {
      const name = checkNewName(checkLength(requireMember(input.Name, 'name'), 'name', 1, 2048));
      const value = checkLength(requireMember(input.Value, 'value'), 'value', 1, maxValue.Advanced, true);
      if (input.Type !== undefined && !types.includes(input.Type as SsmParameterType)) throw constraintFailed('type', input.Type, `satisfy enum value set: [${types.join(', ')}]`);
      if (input.Tier !== undefined && !(tiers as readonly string[]).includes(input.Tier)) throw constraintFailed('tier', input.Tier, `satisfy enum value set: [${tiers.join(', ')}]`);
      const overwrite = checkBoolean(input.Overwrite, 'overwrite');
      if (overwrite && (input.Tags?.length ?? 0) > 0) throw overwriteWithTags();
      const tags = checkTags(input.Tags);
      const description = input.Description !== undefined ? checkLength(input.Description, 'description', 0, 1024) : undefined;
      const pattern = checkPattern(input.AllowedPattern);
      if (input.KeyId !== undefined) checkLength(input.KeyId, 'keyId', 1, 256);
      if (input.Policies !== undefined) {
        throw withHelp(validation('Parameter policies are not supported.'), { field: 'Policies', hint: 'Berth does not apply parameter policies (Expiration, ExpirationNotification, NoChangeNotification); leave Policies out.' });
      }
      const dataType = input.DataType ?? 'text';
      if (dataType !== 'text') {
        throw withHelp(validation(`The following data type is not supported: ${dataType} (Data type names are all lowercase.)`), {
          field: 'DataType',
          hint: 'Berth stores parameters of data type text only: it has no EC2 images or integrations to validate the others against.',
        });
      }
      if (pattern && !pattern.test(value)) throw patternMismatch(input.AllowedPattern!);

      return deps.store.write(async (tx) => {
        const { accountId, region } = ctx.scope;
        const existing = await tx.ssmParameters.get(accountId, region, name);
        if (existing && !overwrite) throw alreadyExists();
        const type = (input.Type as SsmParameterType | undefined) ?? existing?.type;
        if (type === undefined) throw withHelp(validation('A parameter type is required when you create a parameter.'), { field: 'Type', hint: 'Give --type String, StringList or SecureString.' });
        if (input.KeyId !== undefined && type !== 'SecureString') throw withHelp(validation('KeyId is required for SecureString type parameter only.'), { field: 'KeyId' });
        const metadata: SsmVersionMetadata = {
          type,
          ...(type === 'SecureString' ? { keyId: input.KeyId ?? (existing?.type === 'SecureString' ? existing.keyId : undefined) ?? defaultKeyId } : {}),
          ...(description !== undefined ? { description } : existing?.description !== undefined ? { description: existing.description } : {}),
          ...(input.AllowedPattern !== undefined ? { allowedPattern: input.AllowedPattern } : existing?.allowedPattern !== undefined ? { allowedPattern: existing.allowedPattern } : {}),
          tier: tierFor(input.Tier as (typeof tiers)[number] | undefined, value, existing?.tier),
          dataType,
          lastModifiedDate: epochSeconds(ctx.now),
          lastModifiedUser: ctx.principal.arn,
        };
        // An overwrite keeps the pattern in force: the new value must match it too.
        if (input.AllowedPattern === undefined && metadata.allowedPattern !== undefined && !checkPattern(metadata.allowedPattern)!.test(value)) throw patternMismatch(metadata.allowedPattern);
        const versionNumber = (existing?.version ?? 0) + 1;
        if (existing) {
          const versions = await tx.ssmParameters.listVersions(accountId, region, name);
          if (versions.length >= maxVersions) {
            const oldest = versions[0]!;
            if (oldest.labels.length > 0) throw oldestVersionLabelled(name, oldest.version);
            await tx.ssmParameters.deleteVersion(accountId, region, name, oldest.version);
          }
        }
        const version: SsmParameterVersion = { ...metadata, version: versionNumber, value, labels: [] };
        const record: SsmParameter = existing
          ? { ...existing, ...withoutAbsent(existing, metadata), version: versionNumber }
          : { accountId, region, name, ...metadata, version: versionNumber, tags };
        await tx.ssmParameters.putVersion(accountId, region, name, version);
        await tx.ssmParameters.put(record);
        return { Version: versionNumber, Tier: metadata.tier };
      });
    },
  };
}

/** The record's metadata replaced by the new version's: a key the new version lacks (keyId after a type change) goes too. */
function withoutAbsent(existing: SsmParameter, metadata: SsmVersionMetadata): SsmVersionMetadata {
  const merged: Record<string, unknown> = { ...metadata };
  for (const key of ['keyId', 'description', 'allowedPattern'] as const) if (!(key in metadata) && key in existing) merged[key] = undefined;
  return merged as unknown as SsmVersionMetadata;
}
