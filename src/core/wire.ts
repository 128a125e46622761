/**
 * The JSON form of an SDK shape: timestamps travel as epoch seconds, as the AWS JSON protocols send them.
 * Records are stored in this form too, so what the store holds is what the wire carries.
 */
export type Wire<T> = T extends Date
  ? number
  : T extends (infer U)[]
    ? Wire<U>[]
    : T extends Record<string, unknown>
      ? { [K in keyof T]: Wire<T[K]> }
      : T extends object
        ? { [K in keyof T]: Wire<T[K]> }
        : T;

export function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}
