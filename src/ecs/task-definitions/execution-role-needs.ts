/**
 * What needs a task execution role, as RegisterTaskDefinition checks it: ECS reads a container's
 * `secrets` and its `repositoryCredentials` with the execution role's permissions, so a definition
 * that uses either without an `executionRoleArn` is refused at registration (not at launch), with
 * ECS's ClientException. A RunTask override cannot lift the need: the definition is refused first.
 *
 * `logConfiguration.secretOptions` needs the role too in ECS; Berth refuses secretOptions at launch
 * (field-support.ts), and registration leaves it to that refusal.
 */
import { withHelp } from '../../core/errors.js';
import { clientError } from '../validate.js';
import { nonEmpty, type Draft } from './model.js';

const roleHint =
  'Set executionRoleArn to a role that ecs-tasks.amazonaws.com may assume and whose policies allow reading the secrets ' +
  '(secretsmanager:GetSecretValue, ssm:GetParameters): berth up creates arn:aws:iam::<account>:role/ecsTaskExecutionRole, ' +
  'whose AmazonECSTaskExecutionRolePolicy does not allow reading secrets; add an inline policy that does (aws iam put-role-policy).';

/** Throws ECS's ClientException for the first container that needs an execution role the definition lacks. */
export function checkExecutionRoleNeeds(draft: Draft): void {
  if (draft.input.executionRoleArn !== undefined) return;
  draft.containers.forEach((container, index) => {
    if (nonEmpty(container.secrets)) {
      throw withHelp(clientError("When you are specifying container secrets, you must also specify a value for 'executionRoleArn'."), {
        field: `containerDefinitions[${index}].secrets`,
        hint: roleHint,
      });
    }
    if (container.repositoryCredentials !== undefined) {
      throw withHelp(clientError('Private repository authentication requires that the task definition specify a value for executionRoleArn.'), {
        field: `containerDefinitions[${index}].repositoryCredentials`,
        hint: roleHint,
      });
    }
  });
}
