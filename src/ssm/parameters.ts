/** GetParameter, GetParameters, DeleteParameter and DeleteParameters. */
import type {
  DeleteParameterRequest,
  DeleteParameterResult,
  DeleteParametersRequest,
  DeleteParametersResult,
  GetParameterRequest,
  GetParameterResult,
  GetParametersRequest,
  GetParametersResult,
  Parameter,
} from '@aws-sdk/client-ssm';
import { ParameterNotFound, ParameterVersionNotFound } from '@aws-sdk/client-ssm';
import type { RequestContext } from '../core/request-context.js';
import type { Wire } from '../core/wire.js';
import type { SsmDeps } from './deps.js';
import { existingParameter, findParameter, selectedVersion } from './lookup.js';
import { presentParameter } from './present.js';
import { checkBoolean, checkLength, checkNames, requireMember } from './validate.js';

/** A name that is not there, or whose selector names no version, is an invalid parameter of GetParameters. */
const isMissing = (error: unknown) => error instanceof ParameterNotFound || error instanceof ParameterVersionNotFound;

export function parameterOperations(deps: SsmDeps) {
  return {
    async GetParameter(input: Wire<GetParameterRequest>, ctx: RequestContext): Promise<Wire<GetParameterResult>> {
      const reference = checkLength(requireMember(input.Name, 'name'), 'name', 1, 2048);
      const decrypt = checkBoolean(input.WithDecryption, 'withDecryption');
      return deps.store.read(async (tx) => ({ Parameter: presentParameter(await selectedVersion(tx, ctx.scope, reference), decrypt) }));
    },

    async GetParameters(input: Wire<GetParametersRequest>, ctx: RequestContext): Promise<Wire<GetParametersResult>> {
      const names = checkNames(input.Names, 'names');
      const decrypt = checkBoolean(input.WithDecryption, 'withDecryption');
      return deps.store.read(async (tx) => {
        const found: Wire<Parameter>[] = [];
        const invalid: string[] = [];
        for (const reference of new Set(names)) {
          try {
            found.push(presentParameter(await selectedVersion(tx, ctx.scope, reference), decrypt));
          } catch (error) {
            if (!isMissing(error)) throw error;
            invalid.push(reference);
          }
        }
        return { Parameters: found, InvalidParameters: invalid };
      });
    },

    async DeleteParameter(input: Wire<DeleteParameterRequest>, ctx: RequestContext): Promise<Wire<DeleteParameterResult>> {
      const reference = checkLength(requireMember(input.Name, 'name'), 'name', 1, 2048);
      return deps.store.write(async (tx) => {
        const parameter = await existingParameter(tx, ctx.scope, reference);
        await tx.ssmParameters.delete(parameter);
        return {};
      });
    },

    async DeleteParameters(input: Wire<DeleteParametersRequest>, ctx: RequestContext): Promise<Wire<DeleteParametersResult>> {
      const names = checkNames(input.Names, 'names');
      return deps.store.write(async (tx) => {
        const deleted: string[] = [];
        const invalid: string[] = [];
        for (const reference of new Set(names)) {
          const parameter = await findParameter(tx, ctx.scope, reference);
          if (!parameter) {
            invalid.push(reference);
            continue;
          }
          await tx.ssmParameters.delete(parameter);
          deleted.push(reference);
        }
        return { DeletedParameters: deleted, InvalidParameters: invalid };
      });
    },
  };
}
