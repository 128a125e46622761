/** The retention periods CloudWatch Logs accepts, and what a period means for an event's age. */
import { constraintFailed } from './errors.js';

export const retentionDays = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export function checkRetention(value: number | undefined): number {
  if (value === undefined) throw constraintFailed('retentionInDays', undefined, 'not be null');
  if (!(retentionDays as readonly number[]).includes(value)) throw constraintFailed('retentionInDays', value, `satisfy enum value set: [${retentionDays.join(', ')}]`);
  return value;
}

export const dayMs = 24 * 60 * 60 * 1000;

/** Events with a timestamp before this are past the group's retention at `nowMs`. */
export const retentionCutoff = (retentionInDays: number, nowMs: number) => nowMs - retentionInDays * dayMs;
