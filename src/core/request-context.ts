import type { FastifyBaseLogger } from 'fastify';
import type { Principal, Scope } from './principal.js';

/**
 * What an operation knows about the request it serves, whatever protocol carried it. Operations
 * never see HTTP; the edge builds this once the request is authenticated and authorized.
 */
export interface RequestContext {
  requestId: string;
  principal: Principal;
  /** The account of the principal and the region of the request's signature scope. */
  scope: Scope;
  now: Date;
  log: FastifyBaseLogger;
  /** aws:SourceIp: the address the request came from. */
  sourceIp?: string;
  /** aws:SecureTransport: whether the request came over TLS. */
  secureTransport?: boolean;
}
