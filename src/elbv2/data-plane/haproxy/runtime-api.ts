/**
 * haproxy's two command sockets:
 *   - the worker's stats socket (`admin.sock`, level admin): servers, their state, `show stat`;
 *   - the master's CLI (`master.sock`): `reload`, `show proc`.
 * One connection per call, in non-interactive mode: the command line (several commands may be
 * joined with `;`), then haproxy answers and closes. The master waits for the end of our input
 * before answering, so the write side is closed after the command.
 */
import { createConnection } from 'node:net';

export class RuntimeApiError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RuntimeApiError';
  }
}

export function sendCommand(socketPath: string, command: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new RuntimeApiError(`haproxy did not answer "${command}" on ${socketPath} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('connect', () => socket.end(`${command}\n`));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(new RuntimeApiError(`haproxy's socket ${socketPath} refused "${command}": ${error.message}`, { cause: error }));
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/**
 * Runs commands on the worker, one per line of answer: haproxy answers each command of a `;`
 * list in turn, an empty answer being success. Answers that are errors are returned, not
 * thrown, so the reconciler can retry them on its next pass (e.g. a `del server` refused while a
 * connection is still open).
 */
export async function runCommands(socketPath: string, commands: string[]): Promise<string[]> {
  const answers: string[] = [];
  // One connection per command keeps each answer apart (a `;` list answers them back to back).
  for (const command of commands) answers.push((await sendCommand(socketPath, command)).trim());
  return answers;
}
