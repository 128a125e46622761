export { secretsManagerService } from './service.js';
export { readSecretString, resolveSecretString } from './resolve.js';
export { secretResourcePolicy } from './resource-policies.js';
