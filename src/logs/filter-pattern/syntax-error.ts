/**
 * A filter pattern that CloudWatch Logs would refuse: where, what was expected there, and the
 * message AWS answers for it (`Invalid filter pattern` unless a rule has words of its own, such as
 * `Invalid character(s) in term ':'`).
 */
export class FilterPatternError extends Error {
  constructor(
    readonly position: number,
    readonly reason: string,
    readonly awsMessage = 'Invalid filter pattern',
  ) {
    super(`${reason} at position ${position}`);
    this.name = 'FilterPatternError';
  }
}
