/**
 * LabelParameterVersion: labels name a version (`name:label` in GetParameter). A label names one
 * version of a parameter at a time (labelling another version moves it), a version carries at most
 * 10, and a label that breaks the rules is answered in InvalidLabels while the others apply.
 */
import type { LabelParameterVersionRequest, LabelParameterVersionResult } from '@aws-sdk/client-ssm';
import type { RequestContext } from '../core/request-context.js';
import type { Wire } from '../core/wire.js';
import type { SsmDeps } from './deps.js';
import { constraintFailed, tooManyLabels, versionNotFound } from './errors.js';
import { existingParameter } from './lookup.js';
import { isValidLabel } from './names.js';
import { checkLength, requireMember } from './validate.js';

const maxLabels = 10;

export function labelOperations(deps: SsmDeps) {
  return {
    async LabelParameterVersion(input: Wire<LabelParameterVersionRequest>, ctx: RequestContext): Promise<Wire<LabelParameterVersionResult>> {
      const reference = checkLength(requireMember(input.Name, 'name'), 'name', 1, 2048);
      const labels = requireMember(input.Labels, 'labels');
      if (labels.length < 1 || labels.length > maxLabels) throw constraintFailed('labels', `[${labels.join(', ')}]`, `have length ${labels.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${maxLabels}`}`);
      if (input.ParameterVersion !== undefined && (!Number.isInteger(input.ParameterVersion) || input.ParameterVersion < 1)) {
        throw constraintFailed('parameterVersion', input.ParameterVersion, 'have value greater than or equal to 1');
      }
      const valid = [...new Set(labels.filter(isValidLabel))];
      const invalid = labels.filter((label) => !isValidLabel(label));
      return deps.store.write(async (tx) => {
        const parameter = await existingParameter(tx, ctx.scope, reference);
        const { accountId, region, name } = parameter;
        const wanted = input.ParameterVersion ?? parameter.version;
        const versions = await tx.ssmParameters.listVersions(accountId, region, name);
        const target = versions.find((version) => version.version === wanted);
        if (!target) throw versionNotFound(name, wanted);
        const labelsAfter = [...new Set([...target.labels, ...valid])];
        if (labelsAfter.length > maxLabels) throw tooManyLabels();
        for (const other of versions) {
          if (other === target || !other.labels.some((label) => valid.includes(label))) continue;
          await tx.ssmParameters.putVersion(accountId, region, name, { ...other, labels: other.labels.filter((label) => !valid.includes(label)) });
        }
        if (labelsAfter.length !== target.labels.length) await tx.ssmParameters.putVersion(accountId, region, name, { ...target, labels: labelsAfter });
        return { InvalidLabels: invalid, ParameterVersion: wanted };
      });
    },
  };
}
