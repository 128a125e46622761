/**
 * A human-readable rendering of pino's JSON lines: one line per event with the time, the level,
 * the message and the event's own fields (`key=value`); pino's process fields (pid, hostname) are
 * left out. An error's stack follows on indented lines for `error` and `fatal`.
 *
 *   18:02:11.042 WARN  pull of web:1 failed; using the cached image  agent=instance image=web:1
 */
const levelNames: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const levelColours: Record<number, string> = { 10: '90', 20: '90', 30: '32', 40: '33', 50: '31', 60: '35' };
const hidden = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'v']);

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

function clock(time: unknown): string {
  const date = typeof time === 'number' ? new Date(time) : new Date();
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/**
 * Text from callers (image names, registry answers) reaches the terminal: control characters,
 * escape sequences among them, are shown escaped so that a log line cannot drive the terminal.
 */
// eslint-disable-next-line no-control-regex
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/g;
function printable(text: string): string {
  return text.replace(controlCharacters, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function valueText(value: unknown): string {
  // JSON.stringify escapes control characters; a bare value has none.
  if (typeof value === 'string') return /^[^\s"=\u0000-\u001f\u007f-\u009f]+$/.test(value) ? value : JSON.stringify(value);
  if (value instanceof Object) return JSON.stringify(value);
  return String(value);
}

interface SerializedError {
  message?: string;
  stack?: string;
}

/** One JSON log line (as pino writes it) → one readable line, ending in a newline. */
export function formatLogLine(json: string, options: { colour: boolean }): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const level = typeof record.level === 'number' ? record.level : 30;
  const name = (levelNames[level] ?? String(level)).padEnd(5);
  const levelText = options.colour ? `\u001b[${levelColours[level] ?? '0'}m${name}\u001b[0m` : name;
  const err = (record.err ?? record.error) as SerializedError | string | undefined;
  const fields = Object.entries(record)
    .filter(([key, value]) => !hidden.has(key) && key !== 'err' && key !== 'error' && value !== undefined)
    .map(([key, value]) => `${key}=${valueText(value)}`);
  const errorText = typeof err === 'string' ? err : err?.message;
  if (errorText) fields.push(`error=${valueText(errorText)}`);
  const message = typeof record.msg === 'string' ? printable(record.msg) : '';
  const line = [`${clock(record.time)} ${levelText} ${message}`, ...(fields.length > 0 ? [fields.join(' ')] : [])].join('  ');
  const stack = level >= 50 && typeof err === 'object' && err?.stack ? `\n${err.stack.split('\n').map((entry) => `    ${printable(entry)}`).join('\n')}` : '';
  return `${line}${stack}\n`;
}
