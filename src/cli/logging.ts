/**
 * The logger of a `berth` process. The console gets readable lines (`--log-format pretty`, the
 * default) or pino's JSON (`json`) from `--log-level` up. A control plane also keeps a JSON log at
 * debug level, request by request, in `<data-dir>/berth.log` (the previous one, past 32 MiB, is kept
 * as `berth.log.1`).
 */
import { existsSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { pino, type Level, type Logger, type StreamEntry } from 'pino';
import { createPrivateFile, restrictFile, secureDirectory } from '../store/data-dir.js';
import { formatLogLine } from './pretty-log.js';

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const logFormats = ['pretty', 'json'] as const;
export type LogFormat = (typeof logFormats)[number];

export interface LogFlags {
  logLevel: string;
  logFormat: LogFormat;
}

const maxLogFileBytes = 32 * 1024 * 1024;

export function withLogOptions(command: Command): Command {
  return command
    .addOption(new Option('--log-level <level>', 'the least severe events shown on the console').choices(logLevels).env('BERTH_LOG_LEVEL').default('info'))
    .addOption(new Option('--log-format <format>', 'pretty: one readable line per event; json: pino JSON lines').choices(logFormats).env('BERTH_LOG_FORMAT').default('pretty'));
}

/** A pino stream writing readable lines to stdout. */
function prettyStdout(): { write(line: string): void } {
  const colour = process.stdout.isTTY === true && !process.env.NO_COLOR;
  return { write: (line: string) => void process.stdout.write(formatLogLine(line, { colour })) };
}

/** The path of the data directory's log file (0600: it names resources and principals), rotated once it has grown past its limit. */
function logFileIn(dataDir: string): string {
  secureDirectory(dataDir);
  const path = join(dataDir, 'berth.log');
  if (existsSync(path) && statSync(path).size > maxLogFileBytes) renameSync(path, `${path}.1`);
  restrictFile(`${path}.1`);
  createPrivateFile(path);
  return path;
}

export function cliLogger(flags: LogFlags, options: { dataDir?: string } = {}): Logger {
  const consoleLevel = flags.logLevel as Level | 'silent';
  const streams: StreamEntry[] = [];
  if (consoleLevel !== 'silent') {
    streams.push({ level: consoleLevel, stream: flags.logFormat === 'json' ? process.stdout : prettyStdout() });
  }
  if (options.dataDir) {
    // The file always has the debug events (each request), and more when the console asks for trace.
    const fileLevel: Level = consoleLevel === 'trace' ? 'trace' : 'debug';
    streams.push({ level: fileLevel, stream: pino.destination({ dest: logFileIn(options.dataDir), sync: true }) });
  }
  if (streams.length === 0) return pino({ level: 'silent' });
  const lowest = streams.reduce((least, entry) => (pino.levels.values[entry.level as Level]! < pino.levels.values[least]! ? (entry.level as Level) : least), 'fatal' as Level);
  return pino({ level: lowest }, pino.multistream(streams));
}
