export type { Comparison, Expression, Literal, Operator, Subject } from './ast.js';
export { dependsOnTasks, OPERATOR_SYMBOL } from './ast.js';
export { QueryLanguageError } from './errors.js';
export { evaluate, type EvaluationContext, type QueryTarget } from './evaluator.js';
export { MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_LENGTH, MAX_EXPRESSION_NODES, parseExpression, validateExpression } from './parser.js';
