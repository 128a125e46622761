/**
 * Registry authentication as ECR does it: HTTP Basic with user `AWS` and a password from
 * GetAuthorizationToken. A request without one gets a Basic challenge, which docker, skopeo and
 * containerd answer by sending the credentials they were logged in with.
 */
import type { FastifyRequest } from 'fastify';
import { RegistryError } from '../errors.js';
import type { RegistryIdentity, RegistryTokens } from '../tokens.js';

/**
 * The user and password of a Basic Authorization header. Empty ones (`Basic Og==`, what a client
 * not logged in may send) are no credentials, so the client is told to log in rather than that a
 * token it never had is no longer valid.
 */
export function basicCredentials(header: string | undefined): { username: string; password: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  const credentials = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  return credentials.username === '' && credentials.password === '' ? undefined : credentials;
}

export async function authenticateRegistry(request: FastifyRequest, tokens: RegistryTokens, nowSeconds: number): Promise<RegistryIdentity> {
  const credentials = basicCredentials(request.headers.authorization);
  if (!credentials) {
    throw new RegistryError('UNAUTHORIZED', 'authentication required: log in with `aws ecr get-login-password | docker login --username AWS --password-stdin <registry>`');
  }
  const identity = credentials.username === 'AWS' ? await tokens.verify(credentials.password, nowSeconds) : undefined;
  if (!identity) {
    throw new RegistryError(
      'UNAUTHORIZED',
      'the registry token is not valid: it expired (tokens last 12 hours, or until the temporary credentials they came from expire), its credentials were removed, or the user is not AWS; log in again with a fresh `aws ecr get-login-password`',
    );
  }
  return identity;
}
