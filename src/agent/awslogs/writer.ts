/**
 * The agent's CloudWatch Logs client for one task's awslogs output: the control plane's endpoint,
 * the log group's region, and the task's execution role session (or, for a task without an
 * execution role, the agent's own credentials, as ECS on EC2 falls back to the instance's role).
 */
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, GetLogEventsCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { AwsCredentialIdentity } from '@smithy/types';

export interface LogsWriter {
  /** Creates the group; one that exists already is fine. */
  createGroup(group: string): Promise<void>;
  /** Creates the stream; one that exists already is fine. */
  createStream(group: string, stream: string): Promise<void>;
  put(group: string, stream: string, events: { timestamp: number; message: string }[]): Promise<void>;
  /** The stream's last event (latest timestamp), if any: needs logs:GetLogEvents. */
  lastEvent(group: string, stream: string): Promise<{ timestamp: number; message: string } | undefined>;
  destroy(): void;
}

const alreadyThere = (error: unknown) => (error as { name?: string }).name === 'ResourceAlreadyExistsException';

export function logsWriter(endpoint: string, region: string, credentials: () => Promise<AwsCredentialIdentity>): LogsWriter {
  // The shipper retries on its own terms; the client tries once.
  const client = new CloudWatchLogsClient({ endpoint, region, credentials, maxAttempts: 1 });
  return {
    async createGroup(group) {
      await client.send(new CreateLogGroupCommand({ logGroupName: group })).catch((error: unknown) => {
        if (!alreadyThere(error)) throw error;
      });
    },
    async createStream(group, stream) {
      await client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream })).catch((error: unknown) => {
        if (!alreadyThere(error)) throw error;
      });
    },
    async put(group, stream, events) {
      // Events CloudWatch will not keep (too old, too new) come back in rejectedLogEventsInfo; as
      // Docker's awslogs driver, they are not sent again.
      await client.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: events }));
    },
    async lastEvent(group, stream) {
      const page = await client.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: false, limit: 1 }));
      const event = page.events?.at(-1);
      return event ? { timestamp: event.timestamp ?? 0, message: event.message ?? '' } : undefined;
    },
    destroy() {
      client.destroy();
    },
  };
}

/** The error's name and message as CloudWatch Logs words them: `AccessDeniedException: …`. */
export function awsErrorText(error: unknown): string {
  const failure = error as { name?: string; message?: string };
  return failure.name && failure.message ? `${failure.name}: ${failure.message}` : String(error);
}
