export { secretsManagerService } from './service.js';
export { resolveSecretString } from './resolve.js';
