/** GetParametersByPath, DescribeParameters and GetParameterHistory: the lists, filtered and paged. */
import type {
  DescribeParametersRequest,
  DescribeParametersResult,
  GetParameterHistoryRequest,
  GetParameterHistoryResult,
  GetParametersByPathRequest,
  GetParametersByPathResult,
} from '@aws-sdk/client-ssm';
import { withHelp } from '../core/errors.js';
import type { RequestContext } from '../core/request-context.js';
import type { Wire } from '../core/wire.js';
import type { StoreTx } from '../store/types.js';
import type { SsmDeps } from './deps.js';
import { hierarchyTooDeep, invalidNextToken, validation } from './errors.js';
import { bothFilterForms, compileLegacyFilters, compileParameterFilters, isUnder, type Candidate, type ParameterTest } from './filters.js';
import { existingParameter } from './lookup.js';
import { presentHistory, presentMetadata, presentParameter } from './present.js';
import { checkBoolean, checkLength, checkMaxResults, pageOf, requireMember } from './validate.js';

async function candidates(tx: StoreTx, ctx: RequestContext, keep: (name: string) => boolean): Promise<Candidate[]> {
  const { accountId, region } = ctx.scope;
  const found: Candidate[] = [];
  for (const parameter of await tx.ssmParameters.list(accountId, region)) {
    if (keep(parameter.name)) found.push({ parameter, versions: await tx.ssmParameters.listVersions(accountId, region, parameter.name) });
  }
  return found;
}

const passes = (tests: readonly ParameterTest[], candidate: Candidate) => tests.every((test) => test(candidate));

function checkPath(path: string): string {
  checkLength(path, 'path', 1, 2048);
  if (!path.startsWith('/')) throw withHelp(validation('The parameter path must begin with a forward slash (/).'), { field: 'Path', hint: 'Paths are hierarchies: /, /app, /app/prod.' });
  if (path.split('/').filter((part) => part !== '').length > 15) throw hierarchyTooDeep();
  return path;
}

export function queryOperations(deps: SsmDeps) {
  return {
    async GetParametersByPath(input: Wire<GetParametersByPathRequest>, ctx: RequestContext): Promise<Wire<GetParametersByPathResult>> {
      const path = checkPath(requireMember(input.Path, 'path'));
      const recursive = checkBoolean(input.Recursive, 'recursive');
      const decrypt = checkBoolean(input.WithDecryption, 'withDecryption');
      const max = checkMaxResults(input.MaxResults, 10);
      const tests = compileParameterFilters(input.ParameterFilters, ['Type', 'KeyId', 'Label'], true);
      const labels = (input.ParameterFilters ?? []).filter((filter) => filter.Key === 'Label').flatMap((filter) => filter.Values ?? []);
      return deps.store.read(async (tx) => {
        const matching = (await candidates(tx, ctx, (name) => isUnder(name, path, recursive))).filter((candidate) => passes(tests, candidate));
        const page = pageOf(matching, max, input.NextToken, invalidNextToken);
        return {
          Parameters: page.items.map(({ parameter, versions }) => {
            // With a Label filter, the answer is the labelled version, as Parameter Store gives it.
            const labelled = labels.length > 0 ? versions.find((version) => version.labels.some((label) => labels.includes(label))) : undefined;
            const version = labelled ?? versions.find((candidate) => candidate.version === parameter.version) ?? versions.at(-1)!;
            return presentParameter({ parameter, version }, decrypt);
          }),
          ...(page.NextToken ? { NextToken: page.NextToken } : {}),
        };
      });
    },

    async DescribeParameters(input: Wire<DescribeParametersRequest>, ctx: RequestContext): Promise<Wire<DescribeParametersResult>> {
      if ((input.Filters?.length ?? 0) > 0 && (input.ParameterFilters?.length ?? 0) > 0) throw bothFilterForms();
      if (checkBoolean(input.Shared, 'shared')) {
        throw withHelp(validation('Shared parameters are not supported.'), { field: 'Shared', hint: 'Berth does not share parameters through AWS RAM; leave Shared out.' });
      }
      const max = checkMaxResults(input.MaxResults, 50);
      const tests = [
        ...compileLegacyFilters(input.Filters),
        ...compileParameterFilters(input.ParameterFilters, ['Name', 'Type', 'KeyId', 'Path', 'Tier', 'DataType', 'Label'], true),
      ];
      return deps.store.read(async (tx) => {
        const matching = (await candidates(tx, ctx, () => true)).filter((candidate) => passes(tests, candidate));
        const page = pageOf(matching, max, input.NextToken, invalidNextToken);
        return { Parameters: page.items.map(({ parameter }) => presentMetadata(parameter)), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
      });
    },

    async GetParameterHistory(input: Wire<GetParameterHistoryRequest>, ctx: RequestContext): Promise<Wire<GetParameterHistoryResult>> {
      const reference = checkLength(requireMember(input.Name, 'name'), 'name', 1, 2048);
      const decrypt = checkBoolean(input.WithDecryption, 'withDecryption');
      const max = checkMaxResults(input.MaxResults, 50);
      return deps.store.read(async (tx) => {
        const parameter = await existingParameter(tx, ctx.scope, reference);
        const versions = await tx.ssmParameters.listVersions(parameter.accountId, parameter.region, parameter.name);
        const page = pageOf(versions, max, input.NextToken, invalidNextToken);
        return { Parameters: page.items.map((version) => presentHistory(parameter, version, decrypt)), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
      });
    },
  };
}
