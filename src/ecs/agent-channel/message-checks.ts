/** Checks what an agent sends before anything acts on it; a malformed message is dropped, never applied. */
import type { AgentMessage, TaskReport, TaskStats } from '../../agent-channel-protocol/messages.js';

const stopCodes = ['TaskFailedToStart', 'EssentialContainerExited'];
const healthStatuses = ['HEALTHY', 'UNHEALTHY', 'UNKNOWN'];

class MalformedMessage extends Error {}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function optional(value: unknown, type: 'string' | 'number', field: string): void {
  if (value !== undefined && typeof value !== type) throw new MalformedMessage(`${field} must be a ${type}`);
}

function checkReport(value: unknown): TaskReport {
  if (!isObject(value) || typeof value.taskArn !== 'string') throw new MalformedMessage('report.taskArn must be a string');
  for (const field of ['status', 'reason', 'stopCode', 'healthStatus'] as const) optional(value[field], 'string', `report.${field}`);
  for (const field of ['pullStartedAt', 'pullStoppedAt', 'executionStoppedAt'] as const) optional(value[field], 'number', `report.${field}`);
  if (value.stopCode !== undefined && !stopCodes.includes(value.stopCode as string)) throw new MalformedMessage('report.stopCode is not one an agent may set');
  if (value.healthStatus !== undefined && !healthStatuses.includes(value.healthStatus as string)) throw new MalformedMessage('report.healthStatus is unknown');
  if (value.containers !== undefined) {
    if (!Array.isArray(value.containers)) throw new MalformedMessage('report.containers must be a list');
    value.containers.forEach((container: unknown, index) => {
      if (!isObject(container) || typeof container.name !== 'string') throw new MalformedMessage(`report.containers[${index}].name must be a string`);
      if (container.healthStatus !== undefined && !healthStatuses.includes(container.healthStatus as string)) {
        throw new MalformedMessage(`report.containers[${index}].healthStatus is unknown`);
      }
      optional(container.exitCode, 'number', `report.containers[${index}].exitCode`);
      if (container.networkBindings !== undefined && !Array.isArray(container.networkBindings)) {
        throw new MalformedMessage(`report.containers[${index}].networkBindings must be a list`);
      }
    });
  }
  if (value.networkInterface !== undefined) {
    const eni = value.networkInterface;
    if (!isObject(eni) || typeof eni.privateIPv4Address !== 'string' || typeof eni.macAddress !== 'string') {
      throw new MalformedMessage('report.networkInterface needs privateIPv4Address and macAddress');
    }
  }
  return value as unknown as TaskReport;
}

/** At most this many tasks in one stats message: one agent cannot flood the control plane's memory. */
export const maxStatsTasks = 1000;
const maxStatsContainers = 10;

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

function checkStats(value: unknown): TaskStats[] {
  if (!Array.isArray(value)) throw new MalformedMessage('stats.tasks must be a list');
  if (value.length > maxStatsTasks) throw new MalformedMessage(`stats.tasks holds at most ${maxStatsTasks} tasks`);
  return value.map((task: unknown, index) => {
    if (!isObject(task) || typeof task.taskArn !== 'string') throw new MalformedMessage(`stats.tasks[${index}].taskArn must be a string`);
    if (!Array.isArray(task.containers) || task.containers.length > maxStatsContainers) throw new MalformedMessage(`stats.tasks[${index}].containers must be a list of at most ${maxStatsContainers}`);
    task.containers.forEach((container: unknown, at) => {
      const where = `stats.tasks[${index}].containers[${at}]`;
      if (!isObject(container) || typeof container.name !== 'string') throw new MalformedMessage(`${where}.name must be a string`);
      for (const field of ['sampledAt', 'cpuNanoseconds', 'memoryBytes'] as const) if (!isCount(container[field])) throw new MalformedMessage(`${where}.${field} must be a number of at least 0`);
      for (const field of ['networkRxBytes', 'networkTxBytes'] as const) {
        if (container[field] !== undefined && !isCount(container[field])) throw new MalformedMessage(`${where}.${field} must be a number of at least 0`);
      }
    });
    return task as unknown as TaskStats;
  });
}

export function checkAgentMessage(value: unknown): AgentMessage {
  if (!isObject(value)) throw new MalformedMessage('a message must be a JSON object');
  switch (value.type) {
    case 'report':
      if (typeof value.id !== 'number') throw new MalformedMessage('report.id must be a number');
      return { type: 'report', id: value.id, report: checkReport(value.report) };
    case 'health': {
      const runtime = value.runtime;
      if (!isObject(runtime) || (runtime.status !== 'OK' && runtime.status !== 'IMPAIRED')) throw new MalformedMessage('health.runtime.status must be OK or IMPAIRED');
      optional(runtime.reason, 'string', 'health.runtime.reason');
      return { type: 'health', runtime: { status: runtime.status, ...(typeof runtime.reason === 'string' ? { reason: runtime.reason } : {}) } };
    }
    case 'stats':
      return { type: 'stats', tasks: checkStats(value.tasks) };
    default:
      throw new MalformedMessage(`unknown message type ${JSON.stringify(value.type)}`);
  }
}
