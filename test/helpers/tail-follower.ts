/**
 * The follow loop of `aws logs tail --follow` (AWS CLI v2, awscli/customizations/logs/tail.py,
 * FollowLogEventsGenerator), through the SDK: FilterLogEvents with the group, `interleaved: true`,
 * startTime and the CLI's filter options; nextToken pages; then, where the CLI sleeps 5 seconds,
 * the round ends, and the next one asks again from the newest timestamp shown, skipping the
 * eventIds already shown at it.
 */
import { FilterLogEventsCommand, type CloudWatchLogsClient, type FilterLogEventsCommandInput } from '@aws-sdk/client-cloudwatch-logs';

/** The request options of `aws logs tail`, as the CLI turns them into FilterLogEvents parameters. */
export type TailOptions = Pick<FilterLogEventsCommandInput, 'filterPattern' | 'logStreamNames' | 'logStreamNamePrefix' | 'logGroupIdentifier'> & { since: number };

export interface Shown {
  stream: string;
  timestamp: number;
  message: string;
}

/** The follow loop of `aws logs tail --follow`: `poll` is one round, up to where the CLI sleeps. */
export class TailFollower {
  readonly shown: Shown[] = [];
  readonly requests: FilterLogEventsCommandInput[] = [];
  private readonly request: FilterLogEventsCommandInput;
  /** eventIds shown, kept for the newest timestamp only (as the CLI keeps them). */
  private seen = new Map<number, Set<string>>();

  constructor(private readonly logs: CloudWatchLogsClient, group: string, options: TailOptions) {
    this.request = {
      ...(options.logGroupIdentifier !== undefined ? { logGroupIdentifier: options.logGroupIdentifier } : { logGroupName: group }),
      interleaved: true,
      startTime: options.since,
      ...(options.filterPattern !== undefined ? { filterPattern: options.filterPattern } : {}),
      ...(options.logStreamNames !== undefined ? { logStreamNames: options.logStreamNames } : {}),
      ...(options.logStreamNamePrefix !== undefined ? { logStreamNamePrefix: options.logStreamNamePrefix } : {}),
    };
  }

  async poll(): Promise<void> {
    for (;;) {
      this.requests.push({ ...this.request });
      const page = await this.logs.send(new FilterLogEventsCommand({ ...this.request }));
      for (const event of page.events ?? []) {
        const timestamp = event.timestamp as number;
        const ids = this.seen.get(timestamp) ?? new Set<string>();
        this.seen.set(timestamp, ids);
        if (ids.has(event.eventId as string)) continue;
        ids.add(event.eventId as string);
        this.shown.push({ stream: event.logStreamName as string, timestamp, message: event.message as string });
      }
      if (this.seen.size > 0) {
        const newest = Math.max(...this.seen.keys());
        this.seen = new Map([[newest, this.seen.get(newest) as Set<string>]]);
      }
      if (page.nextToken !== undefined) {
        this.request.nextToken = page.nextToken;
        continue;
      }
      delete this.request.nextToken;
      if (this.seen.size > 0) this.request.startTime = Math.max(...this.seen.keys());
      return;
    }
  }
}
