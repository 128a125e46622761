/** The registry's store contract now lives in ./contract/registry.ts; this path keeps existing imports working. */
export * from './contract/registry.js';
