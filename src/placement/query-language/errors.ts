/**
 * A cluster query language expression that could not be parsed. The message names the column
 * (1-based) and the problem, and is fit to be returned as an InvalidParameterException message.
 */
export class QueryLanguageError extends Error {
  override readonly name = 'QueryLanguageError';
  /** 0-based offset into the expression text. */
  readonly position: number;
  /** The problem alone, without the position prefix. */
  readonly problem: string;

  constructor(problem: string, position: number) {
    super(`Invalid cluster query expression at column ${position + 1}: ${problem}`);
    this.position = position;
    this.problem = problem;
  }
}
