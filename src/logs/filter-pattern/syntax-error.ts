/** A filter pattern that does not parse: where, and what was expected there. */
export class FilterPatternError extends Error {
  constructor(
    readonly position: number,
    readonly reason: string,
  ) {
    super(`${reason} at position ${position}`);
    this.name = 'FilterPatternError';
  }
}
