import type { FastifyBaseLogger } from 'fastify';
import type { Principal, Scope } from '../core/principal.js';

/** What an operation knows about the request it serves. Operations never see HTTP. */
export interface RequestContext {
  requestId: string;
  principal: Principal;
  /** The account of the principal and the region of the request's signature scope. */
  scope: Scope;
  now: Date;
  log: FastifyBaseLogger;
}
