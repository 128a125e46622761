/** PutImageTagMutability and PutImageScanningConfiguration: a repository's settings after creation. */
import type {
  PutImageScanningConfigurationRequest,
  PutImageScanningConfigurationResponse,
  PutImageTagMutabilityRequest,
  PutImageTagMutabilityResponse,
} from '@aws-sdk/client-ecr';
import type { Wire } from '../core/wire.js';
import type { RequestContext } from '../core/request-context.js';
import { repositoryTarget, updateRepository } from './access.js';
import type { EcrDeps } from './deps.js';
import { checkMutability } from './settings-checks.js';
import { requireMember } from './validate.js';

export function settingsOperations(deps: EcrDeps) {
  return {
    async PutImageTagMutability(input: Wire<PutImageTagMutabilityRequest>, ctx: RequestContext): Promise<Wire<PutImageTagMutabilityResponse>> {
      const name = repositoryTarget(input, ctx);
      const setting = checkMutability(requireMember(input.imageTagMutability, 'imageTagMutability'), input.imageTagMutabilityExclusionFilters);
      const record = await updateRepository(deps, ctx, name, ({ imageTagMutabilityExclusionFilters: _old, ...current }) => ({ ...current, ...setting }));
      return {
        registryId: record.registryId,
        repositoryName: record.name,
        imageTagMutability: record.imageTagMutability,
        ...(record.imageTagMutabilityExclusionFilters ? { imageTagMutabilityExclusionFilters: record.imageTagMutabilityExclusionFilters } : {}),
      };
    },

    async PutImageScanningConfiguration(
      input: Wire<PutImageScanningConfigurationRequest>,
      ctx: RequestContext,
    ): Promise<Wire<PutImageScanningConfigurationResponse>> {
      const name = repositoryTarget(input, ctx);
      const configuration = requireMember(input.imageScanningConfiguration, 'imageScanningConfiguration');
      const scanOnPush = configuration.scanOnPush ?? false;
      const record = await updateRepository(deps, ctx, name, (current) => ({ ...current, scanOnPush }));
      return { registryId: record.registryId, repositoryName: record.name, imageScanningConfiguration: { scanOnPush: record.scanOnPush } };
    },
  };
}
