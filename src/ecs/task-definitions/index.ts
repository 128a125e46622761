/**
 * Task definitions: the six ECS operations, and what other modules need to use a definition
 * (finding one by name, and what a task of it reserves).
 */
export { findTaskDefinition } from './lookup.js';
export { taskDefinitionOperations } from './operations.js';
