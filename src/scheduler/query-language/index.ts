export type { Comparison, Expression, Literal, Operator, Subject } from './ast.js';
export { dependsOnTasks, OPERATOR_SYMBOL } from './ast.js';
export { QueryLanguageError } from './errors.js';
export { evaluate, type EvaluationContext, type QueryTarget } from './evaluator.js';
export { MAX_EXPRESSION_LENGTH, parseExpression, validateExpression } from './parser.js';
