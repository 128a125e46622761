/**
 * The OCI Distribution API (v1.1) under /v2/ on the edge port. Handlers translate HTTP to the
 * registry's parts and back; bodies stream straight to blob storage, never through memory.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { assertNever } from '../../core/assert-never.js';
import type { Store } from '../../store/types.js';
import type { RepositoryRecord } from '../../store/registry.js';
import { RegistryError } from '../errors.js';
import { maxManifestBytes, mediaTypes } from '../manifest-format.js';
import type { Registry } from '../registry.js';
import { isLimitRefusal } from '../limits.js';
import { existingRepository, type RegistryScope } from '../repositories.js';
import { authenticateRegistry } from './auth.js';
import { registryActionOf } from './actions.js';
import { authorizeRegistry, registryPrincipalIn } from './authorize.js';
import { targetRegistry } from './target-registry.js';
import type { Authorizer } from '../../core/authorize.js';
import { matchRegistryPath, type RegistryRoute } from './paths.js';
import { parseContentRange, parseRange } from './ranges.js';
import { pageSize, RegistryQuery } from './query.js';

export interface RegistryRouteDeps {
  registry: Registry;
  store: Store;
  now(): number;
  /** Decides whether the token's holder may perform the request's ECR action; every request is allowed without it. */
  authorize?: Authorizer;
}

/** One request to the registry, once its caller is known. */
interface Exchange {
  request: FastifyRequest;
  reply: FastifyReply;
  scope: RegistryScope;
  query: RegistryQuery;
}

const apiVersionHeader = { 'docker-distribution-api-version': 'registry/2.0' };

/** An error in the spec's shape, `{"errors": [{code, message, detail}]}`. */
export function renderError(reply: FastifyReply, registry: Registry, error: RegistryError): FastifyReply {
  if (error.code === 'UNAUTHORIZED') {
    reply.header('www-authenticate', `Basic realm="${registry.endpoint}/",service="ecr.amazonaws.com"`);
  }
  return reply
    .code(error.status)
    .headers(apiVersionHeader)
    .header('content-type', 'application/json')
    .send(JSON.stringify({ errors: [{ code: error.code, message: error.message, ...(error.detail !== undefined ? { detail: error.detail } : {}) }] }));
}

/**
 * A manifest body, refused with 413 when it is over `limit`. The request is never destroyed (that
 * would close the connection before the 413 could be sent): a body announced too large is refused
 * before it is read and then drained, one found too large is read to its end without being kept.
 */
async function readBounded(stream: Readable, limit: number, contentLength: string | undefined): Promise<Buffer> {
  const tooLarge = () => new RegistryError('MANIFEST_INVALID', `manifest invalid: more than the ${limit} bytes a manifest may have`, undefined, 413);
  if (contentLength !== undefined && Number(contentLength) > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let total = 0;
  // Breaking out of the loop would destroy the stream, so it runs to the end.
  for await (const chunk of stream) {
    total += (chunk as Buffer).length;
    if (total <= limit) chunks.push(chunk as Buffer);
  }
  if (total > limit) throw tooLarge();
  return Buffer.concat(chunks);
}

interface Page {
  limit: number | undefined;
  last: string | undefined;
}

/** The page a listing asks for, read before the repository is looked up. */
const pageOf = (query: RegistryQuery): Page => ({ limit: pageSize(query.get('n')), last: query.get('last') });

/**
 * One page of a listing: `list` is asked for one item more than the page holds, so that the Link
 * header for the next page is set only when there is a next page.
 */
async function paginate(
  reply: FastifyReply,
  path: string,
  { limit, last }: Page,
  list: (last: string | undefined, limit: number | undefined) => Promise<string[]>,
): Promise<string[]> {
  if (limit === 0) return [];
  const items = await list(last, limit === undefined ? undefined : limit + 1);
  if (limit === undefined || items.length <= limit) return items;
  const page = items.slice(0, limit);
  reply.header('link', `<${path}?n=${limit}&last=${encodeURIComponent(page[page.length - 1]!)}>; rel="next"`);
  return page;
}

/**
 * After a limit refused a body, no more of it is stored. Up to 4 MiB more is read and dropped
 * before the answer goes out, so that a client that sends its whole body before it reads (docker's
 * does, with a layer a little over the limit) gets the answer rather than a reset connection, and
 * can use the connection again. A body longer than that is answered at once, and its connection
 * is closed once the answer is out.
 */
const drainAfterRefusalBytes = 4 * 1024 * 1024;

async function refuseUnreadBody(request: FastifyRequest, reply: FastifyReply, registry: Registry, error: RegistryError): Promise<FastifyReply> {
  const body = request.raw;
  const drained = body.readableEnded
    ? true
    : await new Promise<boolean>((resolve) => {
        let bytes = 0;
        const onData = (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes <= drainAfterRefusalBytes) return;
          body.off('data', onData).pause();
          resolve(false);
        };
        body.on('data', onData).once('end', () => resolve(true)).once('close', () => resolve(true));
        body.resume();
      });
  if (!drained) reply.header('connection', 'close').raw.once('finish', () => body.socket.destroy());
  return renderError(reply, registry, error);
}

/** The body's length as its Content-Length announces it (Node's parser has refused a malformed one), if it does. */
function announcedLength(request: FastifyRequest): number | undefined {
  const header = request.headers['content-length'];
  return header !== undefined && /^\d{1,16}$/.test(header) ? Number(header) : undefined;
}

/** A path below /v2/ with its percent-escapes decoded; one that cannot be decoded names no repository. */
function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    throw new RegistryError('NAME_INVALID', `the request path has a malformed percent-escape: '${path.slice(0, 300)}'`);
  }
}

export function registryRoutes(app: FastifyInstance, deps: RegistryRouteDeps): void {
  const { registry } = deps;
  // Bodies stay unread streams: blob uploads go straight to storage.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  // What fails before a handler runs (a Content-Type that is no media type, say) is answered in the spec's shape too.
  app.setErrorHandler((thrown, request, reply) => {
    const error = thrown as { statusCode?: number; message: string };
    request.raw.resume();
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return renderError(reply, registry, new RegistryError('UNSUPPORTED', `the request cannot be read: ${error.message}`, undefined, error.statusCode));
    }
    request.log.error({ err: thrown }, 'registry request failed');
    return renderError(reply, registry, new RegistryError('UNSUPPORTED', 'the registry failed to serve the request; the failure was logged', undefined, 500));
  });

  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.headers(apiVersionHeader);
    try {
      const url = new URL(request.url, 'http://registry.invalid');
      const identity = await authenticateRegistry(request, registry.tokens, deps.now());
      const route = matchRegistryPath(decodedPath(url.pathname.slice('/v2/'.length)));
      if (!route) throw new RegistryError('UNSUPPORTED', `Berth's registry serves no ${request.method} ${url.pathname.slice(0, 300)}`, undefined, 404);
      const query = new RegistryQuery(url.searchParams);
      const scope = targetRegistry(request.headers.host, identity);
      const action = registryActionOf(route, request.method);
      if (deps.authorize && action) {
        const sourceIp = (request.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
        const principal = await registryPrincipalIn(deps.store, identity);
        await authorizeRegistry(deps.authorize, principal, identity.region, scope, action, 'name' in route ? route.name : undefined, sourceIp);
        // Mounting a blob from another repository reads it there.
        const from = route.kind === 'uploads' ? query.get('from') : undefined;
        if (from !== undefined && query.get('mount') !== undefined) await authorizeRegistry(deps.authorize, principal, identity.region, scope, 'ecr:GetDownloadUrlForLayer', from, sourceIp);
      } else if (scope.accountId !== identity.accountId) {
        throw new RegistryError('DENIED', `the token of account ${identity.accountId} may not use the registry of account ${scope.accountId}`);
      }
      return await dispatch({ request, reply, scope, query }, route);
    } catch (error) {
      if (isLimitRefusal(error)) return await refuseUnreadBody(request, reply, registry, error as RegistryError);
      request.raw.resume();
      if (error instanceof RegistryError) return renderError(reply, registry, error);
      if (request.raw.destroyed || reply.raw.destroyed) {
        request.log.info({ err: error }, 'registry request ended by the client');
        return reply;
      }
      request.log.error({ err: error }, 'registry request failed');
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') {
        return renderError(reply, registry, new RegistryError('UNSUPPORTED', 'the registry has no disk space left; free space in its data directory, then push again (the upload can be resumed)', undefined, 507));
      }
      return renderError(reply, registry, new RegistryError('UNSUPPORTED', 'the registry failed to serve the request; the failure was logged', undefined, 500));
    }
  };

  const repositoryOf = (exchange: Exchange, name: string) => deps.store.read((tx) => existingRepository(tx, exchange.scope, name));

  const dispatch = async (exchange: Exchange, route: RegistryRoute): Promise<FastifyReply> => {
    const { request, reply, query } = exchange;
    const method = request.method;
    const unsupported = () => new RegistryError('UNSUPPORTED', `${method} is not supported on this path`, undefined, 405);
    switch (route.kind) {
      case 'base':
        if (method !== 'GET' && method !== 'HEAD') throw unsupported();
        return reply.code(200).header('content-type', 'application/json').send('{}');
      case 'catalog': {
        if (method !== 'GET') throw unsupported();
        const names = await paginate(reply, '/v2/_catalog', pageOf(query), (last, limit) => deps.store.read((tx) => tx.registry.catalog(exchange.scope, last, limit)));
        return reply.code(200).header('content-type', 'application/json').send(JSON.stringify({ repositories: names }));
      }
      case 'tags': {
        if (method !== 'GET') throw unsupported();
        const page = pageOf(query);
        const repository = await repositoryOf(exchange, route.name);
        const tags = await paginate(reply, `/v2/${route.name}/tags/list`, page, (last, limit) => registry.manifests.tags(repository, last, limit));
        return reply.code(200).header('content-type', 'application/json').send(JSON.stringify({ name: route.name, tags }));
      }
      case 'manifest':
        return manifest(exchange, await repositoryOf(exchange, route.name), route.reference);
      case 'blob':
        return blob(exchange, await repositoryOf(exchange, route.name), route.digest);
      case 'uploads': {
        if (method !== 'POST') throw unsupported();
        const upload = { mount: query.get('mount'), from: query.get('from'), digest: query.get('digest') };
        return startUpload(exchange, await repositoryOf(exchange, route.name), upload);
      }
      case 'upload': {
        const digest = method === 'PUT' ? query.get('digest') : undefined;
        return upload(exchange, await repositoryOf(exchange, route.name), route.id, digest);
      }
      case 'referrers': {
        if (method !== 'GET') throw unsupported();
        const artifactType = query.get('artifactType');
        const repository = await repositoryOf(exchange, route.name);
        const index = await registry.manifests.referrers(repository, route.digest, artifactType);
        if (artifactType !== undefined) reply.header('oci-filters-applied', 'artifactType');
        // A Buffer, so that the media type goes out exactly as the spec names it, without a charset.
        return reply.code(200).header('content-type', mediaTypes.ociIndex).send(Buffer.from(JSON.stringify(index)));
      }
      default:
        return assertNever(route);
    }
  };

  const manifest = async ({ request, reply }: Exchange, repository: RepositoryRecord, reference: string): Promise<FastifyReply> => {
    switch (request.method) {
      case 'GET':
      case 'HEAD': {
        const { record, content } = await registry.manifests.get(repository, reference, request.method === 'GET');
        reply.code(200).header('content-type', record.mediaType).header('docker-content-digest', record.digest).header('etag', `"${record.digest}"`);
        if (request.method === 'HEAD') return reply.header('content-length', String(content.length)).send();
        return reply.send(content);
      }
      case 'PUT': {
        const content = await readBounded(request.raw, maxManifestBytes, request.headers['content-length']);
        const { record } = await registry.manifests.put(repository, reference, content, request.headers['content-type']);
        if (record.subject) reply.header('oci-subject', record.subject);
        return reply
          .code(201)
          .header('location', `/v2/${repository.name}/manifests/${record.digest}`)
          .header('docker-content-digest', record.digest)
          .send();
      }
      case 'DELETE':
        await registry.manifests.delete(repository, reference);
        return reply.code(202).send();
      default:
        throw new RegistryError('UNSUPPORTED', `${request.method} is not supported on manifests`, undefined, 405);
    }
  };

  const blob = async ({ request, reply }: Exchange, repository: RepositoryRecord, digest: string): Promise<FastifyReply> => {
    switch (request.method) {
      case 'HEAD': {
        const found = await registry.blobs.stat(repository, digest, true);
        return reply
          .code(200)
          .header('content-type', 'application/octet-stream')
          .header('content-length', String(found.size))
          .header('docker-content-digest', digest)
          .header('accept-ranges', 'bytes')
          .send();
      }
      case 'GET': {
        const rangeOf = (size: number) => {
          try {
            return parseRange(request.headers.range, size);
          } catch (error) {
            // An unsatisfiable range is answered with the blob's size (RFC 9110 §15.5.17), for the client to ask again.
            reply.header('content-range', `bytes */${size}`);
            throw error;
          }
        };
        const { blob: found, range, content } = await registry.blobs.open(repository, digest, rangeOf);
        reply.header('content-type', 'application/octet-stream').header('docker-content-digest', digest).header('accept-ranges', 'bytes');
        if (range) {
          return reply
            .code(206)
            .header('content-range', `bytes ${range.start}-${range.end}/${found.size}`)
            .header('content-length', String(range.end - range.start + 1))
            .send(content);
        }
        return reply.code(200).header('content-length', String(found.size)).send(content);
      }
      case 'DELETE':
        await registry.blobs.unlink(repository, digest);
        return reply.code(202).send();
      default:
        throw new RegistryError('UNSUPPORTED', `${request.method} is not supported on blobs`, undefined, 405);
    }
  };

  const uploadLocation = (reply: FastifyReply, repository: RepositoryRecord, id: string, size: number) =>
    reply
      .header('location', `/v2/${repository.name}/blobs/uploads/${id}`)
      .header('docker-upload-uuid', id)
      .header('range', `0-${Math.max(size - 1, 0)}`);

  const blobCreated = (reply: FastifyReply, repository: RepositoryRecord, digest: string) =>
    reply.code(201).header('location', `/v2/${repository.name}/blobs/${digest}`).header('docker-content-digest', digest).send();

  const startUpload = async (
    { request, reply, scope }: Exchange,
    repository: RepositoryRecord,
    { mount, from, digest }: { mount: string | undefined; from: string | undefined; digest: string | undefined },
  ): Promise<FastifyReply> => {
    if (mount !== undefined && from !== undefined) {
      const source = await deps.store.read((tx) => tx.registry.findRepository(scope.accountId, scope.region, from));
      const mounted = source ? await registry.blobs.mount(repository, source, mount) : undefined;
      if (mounted) {
        request.raw.resume();
        return blobCreated(reply, repository, mount);
      }
    }
    const id = await registry.blobs.startUpload(repository);
    if (digest !== undefined) {
      try {
        await registry.blobs.complete(repository, id, digest, request.raw, undefined, announcedLength(request));
      } catch (error) {
        // The client never learnt this upload's location, so nobody could resume it: it goes now, not with garbage collection.
        await registry.blobs.cancel(repository, id).catch(() => undefined);
        throw error;
      }
      return blobCreated(reply, repository, digest);
    }
    request.raw.resume();
    return uploadLocation(reply.code(202), repository, id, 0).send();
  };

  const upload = async ({ request, reply }: Exchange, repository: RepositoryRecord, id: string, digest: string | undefined): Promise<FastifyReply> => {
    switch (request.method) {
      case 'GET':
        return uploadLocation(reply.code(204), repository, id, await registry.blobs.uploadSize(repository, id)).send();
      case 'PATCH': {
        const start = parseContentRange(request.headers['content-range']);
        const size = await registry.blobs.append(repository, id, request.raw, start, announcedLength(request));
        return uploadLocation(reply.code(202), repository, id, size).send();
      }
      case 'PUT': {
        if (digest === undefined) {
          throw new RegistryError('DIGEST_INVALID', 'completing an upload needs the blob digest: PUT …/blobs/uploads/<id>?digest=<digest>');
        }
        await registry.blobs.complete(repository, id, digest, request.raw, parseContentRange(request.headers['content-range']), announcedLength(request));
        return blobCreated(reply, repository, digest);
      }
      case 'DELETE':
        await registry.blobs.cancel(repository, id);
        return reply.code(204).send();
      default:
        throw new RegistryError('UNSUPPORTED', `${request.method} is not supported on uploads`, undefined, 405);
    }
  };

  // Every method reaches the handler, so that one the spec does not serve is refused in the spec's shape.
  const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
  app.route({ method: methods, url: '/v2/*', exposeHeadRoute: false, handler: handle });
  app.route({ method: methods, url: '/v2', exposeHeadRoute: false, handler: handle });
}
