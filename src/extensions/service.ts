/**
 * Berth's own operations, beyond what AWS offers, on the same edge and with the same SigV4 rules.
 * Clients sign them for the service name "berth".
 *
 * ExplainPlacement takes exactly RunTask's input and answers, instance by instance, why the tasks
 * would or would not be placed — without placing anything. ECS's bare "no container instance met
 * all of its requirements" is what it improves on.
 */
import * as ecsModel from '@aws-sdk/client-ecs';
import type { RunTaskRequest } from '@aws-sdk/client-ecs';
import type { Wire } from '../core/wire.js';
import type { EcsDeps } from '../ecs/deps.js';
import { checkRunInput, planRun } from '../ecs/tasks/run.js';
import { checkRange } from '../ecs/validate.js';
import type { RequestContext } from '../edge/context.js';
import { defineJsonService, type JsonService } from '../edge/protocols/aws-json.js';
import { formatExplanation } from '../scheduler/index.js';

export const berthTargetPrefix = 'Berth_20261101';

/** Extension operations borrow their input shapes from the ECS model. */
const extensionModel = {
  ExplainPlacement$: [9, 'berth', 'ExplainPlacement', 0, () => ecsModel.RunTaskRequest$, () => ecsModel.RunTaskResponse$],
};

export function berthService(deps: EcsDeps): JsonService {
  return defineJsonService(
    extensionModel,
    { id: 'berth', signingName: 'berth', targetPrefix: berthTargetPrefix, jsonVersion: '1.1' },
    {
      async ExplainPlacement(input: Wire<RunTaskRequest>, ctx: RequestContext) {
        const checked = checkRunInput(input);
        checkRange(input.count, 'count', 1, 10);
        const plan = await deps.store.read((tx) => planRun(tx, deps, ctx, checked, { count: input.count ?? 1, explain: true, refuseUnsupported: true }));
        if (!plan.placed) {
          return {
            placements: [],
            failures: [],
            explanation: [],
            lines: [`${plan.fargate.length} task(s) would run on Fargate capacity, which needs no container instance.`],
          };
        }
        const { result, request } = plan.placed;
        return {
          placements: result.placements.map((placement) => ({ containerInstanceArn: placement.instanceArn })),
          failures: result.failures,
          explanation: result.explanation,
          filterStats: result.filterStats,
          lines: formatExplanation(result, request),
        };
      },
    },
  );
}
