/**
 * Berth's own operations, beyond what AWS offers, on the same edge and with the same SigV4 rules.
 * Clients sign them for the service name "berth".
 *
 * ExplainPlacement takes exactly RunTask's input and answers, instance by instance, why the tasks
 * would or would not be placed — without placing anything. ECS's bare "no container instance met
 * all of its requirements" is what it improves on.
 *
 * ListFargateHosts answers the FARGATE capacity hosts connected to this control plane (`berth prune`
 * asks it: a host the control plane holds no connection from is gone as far as it knows).
 *
 * CreateAccount and ListAccounts (accounts.ts) manage the accounts of the installation; only its
 * own account's root may call them.
 */
import * as ecsModel from '@aws-sdk/client-ecs';
import type { RunTaskRequest } from '@aws-sdk/client-ecs';
import type { Wire } from '../core/wire.js';
import type { FargateHost } from '../ecs/agent-channel/hub.js';
import type { EcsDeps } from '../ecs/deps.js';
import { checkRunInput, planRun } from '../ecs/tasks/run.js';
import { checkRange } from '../ecs/validate.js';
import type { RequestContext } from '../core/request-context.js';
import { defineJsonService, type JsonService } from '../edge/protocols/aws-json.js';
import { formatExplanation } from '../placement/index.js';
import { createAccount, listAccounts, type CreateAccountInput } from './accounts.js';

export const berthTargetPrefix = 'Berth_20261101';

/** An input with no members (members the model does not know are ignored, as for every operation). */
const NoInput$ = [3, 'berth', 'NoInput', 0, [], []];

/** CreateAccount's one member: the new account's id, 12 digits (Berth picks one when absent). */
const CreateAccountInput$ = [3, 'berth', 'CreateAccountInput', 0, ['accountId'], [0]];

/** Berth's own operations borrow their input shapes from the ECS model where they can. */
const berthApiModel = {
  ExplainPlacement$: [9, 'berth', 'ExplainPlacement', 0, () => ecsModel.RunTaskRequest$, () => ecsModel.RunTaskResponse$],
  ListFargateHosts$: [9, 'berth', 'ListFargateHosts', 0, () => NoInput$, () => NoInput$],
  CreateAccount$: [9, 'berth', 'CreateAccount', 0, () => CreateAccountInput$, () => NoInput$],
  ListAccounts$: [9, 'berth', 'ListAccounts', 0, () => NoInput$, () => NoInput$],
};

export interface BerthServiceDeps extends EcsDeps {
  /** The installation's own account, whose root manages the others. */
  installationAccountId: string;
  /** The FARGATE capacity hosts connected now. */
  fargateHosts(): FargateHost[];
}

export function berthService(deps: BerthServiceDeps): JsonService {
  const accountsDeps = { store: deps.store, installationAccountId: deps.installationAccountId };
  return defineJsonService(
    berthApiModel,
    { id: 'berth', signingName: 'berth', targetPrefix: berthTargetPrefix, jsonVersion: '1.1' },
    {
      async ExplainPlacement(input: Wire<RunTaskRequest>, ctx: RequestContext) {
        const checked = checkRunInput(input);
        checkRange(input.count, 'count', 1, 10);
        const plan = await deps.store.read((tx) => planRun(tx, deps, ctx, checked, { count: input.count ?? 1, explain: true, refuseUnsupported: true }));
        if (!plan.placed) {
          return {
            placedAll: true,
            placements: [],
            failures: [],
            explanation: [],
            lines: [`${plan.fargate.length} task(s) would run on Fargate capacity, which needs no container instance.`],
          };
        }
        const { result, request } = plan.placed;
        return {
          placedAll: result.failures.length === 0 && result.placements.length === (input.count ?? 1),
          placements: result.placements.map((placement) => ({ containerInstanceArn: placement.instanceArn })),
          failures: result.failures,
          explanation: result.explanation,
          filterStats: result.filterStats,
          lines: formatExplanation(result, request),
        };
      },
      CreateAccount: (input: CreateAccountInput, ctx: RequestContext) => createAccount(accountsDeps, input, ctx),
      ListAccounts: (_input: Record<string, never>, ctx: RequestContext) => listAccounts(accountsDeps, ctx),
      async ListFargateHosts() {
        return {
          fargateHosts: deps.fargateHosts().map((host) => ({
            hostId: host.hostId,
            cpu: host.cpu,
            memory: host.memory,
            ...(host.availabilityZone ? { availabilityZone: host.availabilityZone } : {}),
          })),
        };
      },
    },
    { rootOnly: ['CreateAccount', 'ListAccounts'] },
  );
}
