/**
 * The Logs Insights queries of this process, per account and region: what DescribeQueries lists
 * and GetQueryResults answers. Queries run to completion when they start, so each is recorded
 * Complete (or Cancelled never: StopQuery finds them done). Kept in memory, the newest 1,000 per
 * account and region; a restart forgets them, as results in AWS expire after 7 days.
 */
import type { Scope } from '../../core/principal.js';
import type { QueryOutput } from './evaluate.js';

export interface RecordedQuery {
  queryId: string;
  queryString: string;
  logGroupNames: string[];
  createTime: number;
  durationMs: number;
  status: 'Complete';
  output: QueryOutput;
  recordsScanned: number;
  bytesScanned: number;
}

const kept = 1000;

export class QueryBook {
  private readonly byScope = new Map<string, RecordedQuery[]>();

  private listOf(scope: Scope): RecordedQuery[] {
    const key = `${scope.accountId}/${scope.region}`;
    let list = this.byScope.get(key);
    if (!list) {
      list = [];
      this.byScope.set(key, list);
    }
    return list;
  }

  add(scope: Scope, query: RecordedQuery): void {
    const list = this.listOf(scope);
    list.push(query);
    if (list.length > kept) list.splice(0, list.length - kept);
  }

  get(scope: Scope, queryId: string): RecordedQuery | undefined {
    return this.listOf(scope).find((query) => query.queryId === queryId);
  }

  /** Newest first. */
  list(scope: Scope): RecordedQuery[] {
    return [...this.listOf(scope)].reverse();
  }

  forget(accountId?: string): void {
    for (const key of [...this.byScope.keys()]) if (accountId === undefined || key.startsWith(`${accountId}/`)) this.byScope.delete(key);
  }
}
