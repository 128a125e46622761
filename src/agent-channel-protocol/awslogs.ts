/**
 * The awslogs log driver's options, as ECS and Docker's awslogs driver read them, shared by the
 * control plane (which refuses a task definition with unusable options) and the agent (which
 * collects the container's output into CloudWatch Logs itself, with the task's execution role).
 *
 * Honoured: awslogs-group, awslogs-region, awslogs-stream-prefix, awslogs-create-group, mode,
 * max-buffer-size, awslogs-multiline-pattern and awslogs-datetime-format. Docker's other awslogs
 * options are refused by name until the agent does them.
 */
import { compilePattern, PatternError } from '../core/linear-regex.js';
import { datetimeFormatPattern } from './strftime.js';

export interface AwslogsSettings {
  group: string;
  region: string;
  streamPrefix?: string;
  createGroup: boolean;
  /** blocking (ECS's default): reading stops while the buffer is full; non-blocking: the oldest unsent events are dropped. */
  mode: 'blocking' | 'non-blocking';
  /** Bytes of unsent output kept; Docker's default for non-blocking mode is 1 MiB. */
  maxBufferBytes: number;
  /**
   * The source of the regular expression a line matches when it starts a new event (other lines
   * join the pending one), from awslogs-multiline-pattern or awslogs-datetime-format.
   */
  multilinePattern?: string;
}

/**
 * `notYet`: an option of Docker's awslogs driver the agent does not do (the control plane refuses
 * the launch); else the options are unusable, and the container fails to start with this text, as
 * Docker's awslogs driver's own check words it.
 */
export type AwslogsProblem = { problem: string; option: string; notYet?: boolean };

const honoured = ['awslogs-group', 'awslogs-region', 'awslogs-stream-prefix', 'awslogs-create-group', 'mode', 'max-buffer-size', 'awslogs-multiline-pattern', 'awslogs-datetime-format'];

/** Docker's awslogs options Berth's agent does not do yet. */
const notYet = [
  'awslogs-endpoint',
  'awslogs-credentials-endpoint',
  'awslogs-format',
  'awslogs-force-flush-interval-seconds',
  'awslogs-max-buffered-events',
  'tag',
];

/** Every option Docker's awslogs driver knows: others are unknown to it (and ECS refuses them on Fargate). */
export const awslogsOptionNames: readonly string[] = [...honoured, ...notYet];

const defaultBufferBytes = 1024 * 1024;

/** Docker's sizes (units.RAMInBytes): a number with an optional binary unit, `4m`, `512k`, `1MiB`. */
export function parseBufferSize(value: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?\s*$/i.exec(value);
  if (!match) return undefined;
  const power = ['', 'k', 'm', 'g', 't'].indexOf(match[2]!.toLowerCase());
  const bytes = Math.floor(Number(match[1]) * 1024 ** power);
  return bytes > 0 ? bytes : undefined;
}

/** The settings of an awslogs logConfiguration's options, or the first problem with them. */
export function parseAwslogsOptions(options: Record<string, string> | undefined): AwslogsSettings | AwslogsProblem {
  const given = options ?? {};
  for (const [option, value] of Object.entries(given)) {
    if (notYet.includes(option)) {
      return { option, notYet: true, problem: `the awslogs option '${option}' is not supported yet by Berth's agent; remove it (each line is one event, timestamped by Docker)` };
    }
    if (!honoured.includes(option)) {
      return { option, problem: `unknown log opt '${option}' for awslogs log driver; awslogs takes ${honoured.join(', ')}` };
    }
    if (typeof value !== 'string') return { option, problem: `the awslogs option '${option}' must be a string` };
  }
  const group = given['awslogs-group'];
  if (!group) return { option: 'awslogs-group', problem: "must specify a value for log opt 'awslogs-group'" };
  if (group.length > 512 || !/^[.\-_/#A-Za-z0-9]+$/.test(group)) {
    return { option: 'awslogs-group', problem: `awslogs-group '${group}' is not a valid log group name: 1 to 512 of a-z, A-Z, 0-9, '_', '-', '/', '.', '#'` };
  }
  const region = given['awslogs-region'];
  if (!region) return { option: 'awslogs-region', problem: "must specify a value for log opt 'awslogs-region'" };
  const prefix = given['awslogs-stream-prefix'];
  if (prefix !== undefined && (prefix === '' || /[:*]/.test(prefix))) {
    return { option: 'awslogs-stream-prefix', problem: `awslogs-stream-prefix '${prefix}' cannot be empty or contain ':' or '*' (it starts a log stream name)` };
  }
  const createGroup = given['awslogs-create-group'];
  if (createGroup !== undefined && !['true', 'false'].includes(createGroup)) {
    return { option: 'awslogs-create-group', problem: `awslogs-create-group must be true or false; got '${createGroup}'` };
  }
  const mode = given.mode ?? 'blocking';
  if (mode !== 'blocking' && mode !== 'non-blocking') return { option: 'mode', problem: `mode must be blocking or non-blocking; got '${mode}'` };
  const size = given['max-buffer-size'];
  let maxBufferBytes = defaultBufferBytes;
  if (size !== undefined) {
    if (mode !== 'non-blocking') return { option: 'max-buffer-size', problem: 'max-buffer-size applies only with mode non-blocking' };
    const parsed = parseBufferSize(size);
    if (parsed === undefined) return { option: 'max-buffer-size', problem: `max-buffer-size '${size}' is not a size such as 4m or 512k` };
    maxBufferBytes = parsed;
  }
  const multiline = multilineOf(given);
  if (typeof multiline === 'object') return multiline;
  return {
    group,
    region,
    ...(prefix !== undefined ? { streamPrefix: prefix } : {}),
    createGroup: createGroup === 'true',
    mode,
    maxBufferBytes,
    ...(multiline !== undefined ? { multilinePattern: multiline } : {}),
  };
}

/** The multi-line pattern's source, as Docker's awslogs driver makes it from either option; or the problem with them. */
function multilineOf(given: Record<string, string>): string | AwslogsProblem | undefined {
  const pattern = given['awslogs-multiline-pattern'];
  const format = given['awslogs-datetime-format'];
  // Docker's ValidateLogOpt, in its words.
  if (pattern && format) {
    return { option: 'awslogs-multiline-pattern', problem: "you cannot configure log opt 'awslogs-datetime-format' and 'awslogs-multiline-pattern' at the same time" };
  }
  let source = pattern || undefined;
  if (format) {
    const converted = datetimeFormatPattern(format);
    if (typeof converted === 'object') {
      return { option: 'awslogs-datetime-format', problem: `awslogs-datetime-format '${format}' has ${converted.unknown}, which is not in Docker's strftime table (${converted.known})` };
    }
    source = converted;
  }
  if (source === undefined) return undefined;
  // Docker matches it with Go's regexp (RE2): the same syntax, in linear time on each line.
  try {
    compilePattern(source);
  } catch (error) {
    if (!(error instanceof PatternError)) throw error;
    return { option: format ? 'awslogs-datetime-format' : 'awslogs-multiline-pattern', problem: `awslogs could not parse multiline pattern key "${source}": ${error.problem}` };
  }
  return source;
}

export const isAwslogsProblem = (parsed: AwslogsSettings | AwslogsProblem): parsed is AwslogsProblem => 'problem' in parsed;

/**
 * The log stream of a container, as ECS names it: `prefix/container-name/task-id` with a prefix;
 * without one, the container's Docker id (Docker's awslogs driver's default, ECS's on EC2).
 */
export function awslogsStreamName(settings: Pick<AwslogsSettings, 'streamPrefix'>, containerName: string, taskArn: string, containerId: string): string {
  const taskId = taskArn.split('/').at(-1) ?? taskArn;
  return settings.streamPrefix !== undefined ? `${settings.streamPrefix}/${containerName}/${taskId}` : containerId;
}
