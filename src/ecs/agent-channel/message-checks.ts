/** Checks what an agent sends before anything acts on it; a malformed message is dropped, never applied. */
import type { AgentMessage, TaskReport } from '../../agent-channel-protocol/messages.js';

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
    default:
      throw new MalformedMessage(`unknown message type ${JSON.stringify(value.type)}`);
  }
}
