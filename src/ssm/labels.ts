/**
 * LabelParameterVersion and UnlabelParameterVersion: labels name a version (`name:label` in
 * GetParameter). A label names one version of a parameter at a time (labelling another version
 * moves it), a version carries at most 10, and a label that breaks the rules (or, to unlabel, is not
 * on the version) is answered in InvalidLabels while the others apply.
 */
import type { LabelParameterVersionRequest, LabelParameterVersionResult, UnlabelParameterVersionRequest, UnlabelParameterVersionResult } from '@aws-sdk/client-ssm';
import type { RequestContext } from '../core/request-context.js';
import type { Wire } from '../core/wire.js';
import type { SsmDeps } from './deps.js';
import { constraintFailed, tooManyLabels, versionNotFound } from './errors.js';
import { existingParameter } from './lookup.js';
import { isValidLabel } from './names.js';
import { checkLength, requireMember } from './validate.js';

const maxLabels = 10;

function checkLabels(labels: readonly string[] | undefined): string[] {
  const list = requireMember(labels, 'labels');
  if (list.length < 1 || list.length > maxLabels) throw constraintFailed('labels', `[${list.join(', ')}]`, `have length ${list.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${maxLabels}`}`);
  return [...list];
}

function checkVersion(version: number | undefined): void {
  if (version !== undefined && (!Number.isInteger(version) || version < 1)) throw constraintFailed('parameterVersion', version, 'have value greater than or equal to 1');
}

export function labelOperations(deps: SsmDeps) {
  return {
    async LabelParameterVersion(input: Wire<LabelParameterVersionRequest>, ctx: RequestContext): Promise<Wire<LabelParameterVersionResult>> {
      const reference = checkLength(requireMember(input.Name, 'name'), 'name', 1, 2048);
      const labels = checkLabels(input.Labels);
      checkVersion(input.ParameterVersion);
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

    async UnlabelParameterVersion(input: Wire<UnlabelParameterVersionRequest>, ctx: RequestContext): Promise<Wire<UnlabelParameterVersionResult>> {
      const reference = checkLength(requireMember(input.Name, 'name'), 'name', 1, 2048);
      const wanted = requireMember(input.ParameterVersion, 'parameterVersion');
      checkVersion(wanted);
      const labels = [...new Set(checkLabels(input.Labels))];
      return deps.store.write(async (tx) => {
        const parameter = await existingParameter(tx, ctx.scope, reference);
        const { accountId, region, name } = parameter;
        const target = await tx.ssmParameters.getVersion(accountId, region, name, wanted);
        if (!target) throw versionNotFound(name, wanted);
        const removed = labels.filter((label) => target.labels.includes(label));
        if (removed.length > 0) await tx.ssmParameters.putVersion(accountId, region, name, { ...target, labels: target.labels.filter((label) => !removed.includes(label)) });
        return { RemovedLabels: removed, InvalidLabels: labels.filter((label) => !removed.includes(label)) };
      });
    },
  };
}
