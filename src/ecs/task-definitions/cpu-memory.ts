/**
 * Task-level cpu and memory: the forms RegisterTaskDefinition accepts, normalised the way ECS
 * stores them (the integer string of CPU units and of MiB), and what one task of a definition
 * reserves on a container instance.
 *
 * Accepted forms (ECS API reference, RegisterTaskDefinition cpu/memory):
 * - cpu: an integer of CPU units ("1024"), or vCPUs ("1 vCPU", "0.25 vcpu", "2vCPU"), converted
 *   at ×1024; EC2/EXTERNAL accept 128 (0.125 vCPU) to 196608 (192 vCPU).
 * - memory: an integer of MiB ("2048"), or GB ("1 GB", "0.5GB", "2 gb"), converted at ×1024.
 * Values that do not convert to a whole number are refused, as ECS refuses them.
 */
import { clientError } from '../validate.js';

export const minTaskCpu = 128;
export const maxTaskCpu = 196608;

const decimal = String.raw`(\d+(?:\.\d+)?|\.\d+)`;
const vcpuForm = new RegExp(`^${decimal}\\s*vcpu$`, 'i');
const gbForm = new RegExp(`^${decimal}\\s*gb$`, 'i');

function convert(text: string, unitForm: RegExp): number | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const match = unitForm.exec(trimmed);
  if (!match) return undefined;
  const value = Number(match[1]) * 1024;
  // 0.1 vCPU is 102.4 units: not a whole number, so not a valid setting.
  return Number.isInteger(value) ? value : undefined;
}

/** The task-level cpu in CPU units, or undefined when not given. ClientException when invalid. */
export function parseTaskCpu(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const units = convert(value, vcpuForm);
  if (units === undefined || !Number.isSafeInteger(units) || units < minTaskCpu || units > maxTaskCpu) {
    throw clientError(
      `Invalid 'cpu' setting for task. cpu must be a whole number of CPU units (for example "1024") or of vCPUs (for example "1 vCPU"), ` +
        `from ${minTaskCpu} (0.125 vCPU) to ${maxTaskCpu} (192 vCPU); got '${value}'.`,
    );
  }
  return units;
}

/** The task-level memory in MiB, or undefined when not given. ClientException when invalid. */
export function parseTaskMemory(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const mib = convert(value, gbForm);
  if (mib === undefined || !Number.isSafeInteger(mib) || mib < 1) {
    throw clientError(
      `Invalid 'memory' setting for task. memory must be a whole number of MiB (for example "2048") or of GB (for example "2 GB"); got '${value}'.`,
    );
  }
  return mib;
}
