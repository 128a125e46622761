/**
 * The storage layer's contract, one file per service under ./contract/. This file re-exports them
 * so that `store/types.js` stays the one import path operation code needs.
 */
export * from './contract/core.js';
export * from './contract/ecs.js';
export * from './contract/services.js';
export * from './contract/secrets.js';
export * from './contract/registry.js';
export * from './contract/store.js';
export * from './contract/elbv2.js';
export * from './contract/ssm.js';
export * from './contract/logs.js';
export * from './contract/alarms.js';
export * from './contract/usage.js';
