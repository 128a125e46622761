/**
 * ALB's access log entry, one line per request, its fields in ALB's order (space-separated,
 * quoted where ALB quotes, `-` for what does not apply):
 * type time elb client:port target:port request_processing_time target_processing_time
 * response_processing_time elb_status_code target_status_code received_bytes sent_bytes "request"
 * "user_agent" ssl_cipher ssl_protocol target_group_arn "trace_id" "domain_name" "chosen_cert_arn"
 * matched_rule_priority request_creation_time "actions_executed" "redirect_url" "error_reason"
 * "target:port_list" "target_status_code_list" "classification" "classification_reason"
 */
import { createWriteStream, type WriteStream } from 'node:fs';

export interface AccessLogEntry {
  type: 'http' | 'https' | 'h2' | 'ws' | 'wss';
  time: Date;
  /** The load balancer's resource id (app/<name>/<id>). */
  elb: string;
  client: string;
  target: string | undefined;
  requestStart: number;
  /** Seconds the target took to its response headers (-1: none). */
  targetSeconds: number;
  elbStatus: number;
  targetStatus: number | undefined;
  receivedBytes: number;
  sentBytes: number;
  request: string;
  userAgent: string;
  targetGroupArn: string | undefined;
  traceId: string;
  domain: string;
  rulePriority: string;
  action: string;
  redirectUrl: string | undefined;
  errorReason: string | undefined;
}

const quote = (value: string | undefined): string => `"${value === undefined || value === '' ? '-' : value.replace(/"/g, '\\"')}"`;

/** ALB's timestamps carry microseconds (2018-07-02T22:23:00.186641Z); Berth's clock has milliseconds, so the last three digits are 0. */
function albTime(time: Date): string {
  return time.toISOString().replace(/Z$/, '000Z');
}

export function formatAccessLogLine(entry: AccessLogEntry): string {
  const fields = [
    entry.type,
    albTime(entry.time),
    entry.elb,
    entry.client,
    entry.target ?? '-',
    '0.000',
    entry.targetSeconds < 0 ? '-1' : entry.targetSeconds.toFixed(3),
    entry.targetSeconds < 0 ? '-1' : '0.000',
    String(entry.elbStatus),
    entry.targetStatus === undefined ? '-' : String(entry.targetStatus),
    String(entry.receivedBytes),
    String(entry.sentBytes),
    quote(entry.request),
    quote(entry.userAgent),
    '-',
    '-',
    entry.targetGroupArn ?? '-',
    quote(entry.traceId),
    quote(entry.domain),
    quote(undefined),
    entry.rulePriority,
    albTime(new Date(entry.requestStart)),
    quote(entry.action),
    quote(entry.redirectUrl),
    quote(entry.errorReason),
    quote(entry.target),
    quote(entry.targetStatus === undefined ? undefined : String(entry.targetStatus)),
    quote(undefined),
    quote(undefined),
  ];
  return `${fields.join(' ')}\n`;
}

/** Open access-log files by path, kept open across applies. */
export class AccessLogs {
  private readonly streams = new Map<string, WriteStream>();

  write(path: string, entry: AccessLogEntry): void {
    let stream = this.streams.get(path);
    if (stream === undefined) {
      stream = createWriteStream(path, { flags: 'a' });
      stream.on('error', () => this.streams.delete(path));
      this.streams.set(path, stream);
    }
    stream.write(formatAccessLogLine(entry));
  }

  /** Closes the files no load balancer logs to any more. */
  keepOnly(paths: Set<string>): void {
    for (const [path, stream] of this.streams) {
      if (!paths.has(path)) {
        stream.end();
        this.streams.delete(path);
      }
    }
  }
}
