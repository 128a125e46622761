/**
 * The AWS Query protocol (STS, IAM, Elastic Load Balancing, SNS, CloudFormation, …): the operation is
 * the form parameter `Action` (with `Version`), sent form-encoded in a POST body or in the query
 * string of a GET. Input members are flattened into parameter names: `RoleArn=…`,
 * `Tags.member.1.Key=…` for a list (`Tags.1.Key` when the list is flattened), `Attributes.entry.1.key`
 * for a map, `Parent.Child` for a nested structure. Answers are XML:
 *
 *   <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
 *     <GetCallerIdentityResult><Arn>…</Arn>…</GetCallerIdentityResult>
 *     <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata>
 *   </GetCallerIdentityResponse>
 *
 * and errors:
 *
 *   <ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>…</Message></Error>
 *   <RequestId>…</RequestId></ErrorResponse>
 *
 * A request reaches a Query service by the service its credential scope names (nothing else in a
 * Query request says which service it is for) and the operation by `Action`.
 */
import { NormalizedSchema } from '@smithy/core/schema';
import { ApiError, toSerializedError, withHelp } from '../../core/errors.js';
import { operationsOf, type Handler, type Operation, type OperationOptions, type ServiceIdentity } from './operation.js';
import type { ProtocolResponse } from './response.js';
import { escapeXml } from './xml.js';

export interface QueryRequest {
  /** The `Action` parameter: the operation's name. */
  action: string;
  version?: string;
  /** Every parameter, `Action` and `Version` included. */
  params: URLSearchParams;
}

const formContentType = 'application/x-www-form-urlencoded';

/** A request that speaks Query's transport: a form-encoded POST, or a GET whose query names an `Action`. */
export function isQueryTransport(request: { method: string; contentType: string | undefined; query: URLSearchParams }): boolean {
  if (request.method === 'POST') return (request.contentType ?? '').toLowerCase().startsWith(formContentType);
  return request.method === 'GET' && request.query.has('Action');
}

/** The Query request a request carries, if it is one: `Action` in a form-encoded POST body or in the URL's query. */
export function queryRequestOf(request: { method: string; contentType: string | undefined; body: Buffer; query: URLSearchParams }): QueryRequest | undefined {
  const params =
    request.method === 'POST' && (request.contentType ?? '').toLowerCase().startsWith(formContentType)
      ? new URLSearchParams(request.body.toString('utf8'))
      : request.query;
  const action = params.get('Action');
  if (!action) return undefined;
  const version = params.get('Version');
  return { action, ...(version ? { version } : {}), params };
}

/**
 * The edge's authentication errors carry the AWS JSON protocol's codes; Query services name the same
 * failures differently, and clients compare these codes (botocore refreshes clock skew on
 * SignatureDoesNotMatch, for one).
 */
const queryCodes: Record<string, string> = {
  MissingAuthenticationTokenException: 'MissingAuthenticationToken',
  IncompleteSignatureException: 'IncompleteSignature',
  InvalidSignatureException: 'SignatureDoesNotMatch',
  UnrecognizedClientException: 'InvalidClientTokenId',
  ExpiredTokenException: 'ExpiredToken',
  AccessDeniedException: 'AccessDenied',
  ValidationException: 'ValidationError',
};

export function queryCode(code: string): string {
  return queryCodes[code] ?? code;
}

export function queryError(error: unknown, requestId: string, service?: Pick<QueryService, 'xmlNamespace' | 'errorCodes'>): ProtocolResponse {
  const serialized = toSerializedError(error, 'InternalFailure');
  // A modelled exception travels under its awsQueryError code (LoadBalancerNotFoundException is `LoadBalancerNotFound`).
  const modelledCode = service?.errorCodes?.get(serialized.code);
  if (modelledCode) {
    serialized.code = modelledCode.code;
    serialized.statusCode = modelledCode.statusCode;
  }
  const type = serialized.statusCode >= 500 ? 'Receiver' : 'Sender';
  const help = serialized.help
    ? '<berthHelp>' +
      Object.entries(serialized.help)
        .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
        .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
        .join('') +
      '</berthHelp>'
    : '';
  return {
    statusCode: serialized.statusCode,
    errorCode: serialized.code,
    contentType: 'text/xml',
    body:
      `<ErrorResponse${service ? ` xmlns="${escapeXml(service.xmlNamespace)}"` : ''}><Error>` +
      `<Type>${type}</Type><Code>${escapeXml(queryCode(serialized.code))}</Code><Message>${escapeXml(serialized.message)}</Message>${help}` +
      `</Error><RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`,
  };
}

export interface QueryService extends ServiceIdentity {
  protocol: 'awsQuery';
  /** The API version clients send as `Version`, e.g. 2011-06-15. */
  version: string;
  /** The namespace of the answers' root element, e.g. https://sts.amazonaws.com/doc/2011-06-15/. */
  xmlNamespace: string;
  operations: Map<string, Operation>;
  /** The wire code and HTTP status of each modelled exception with an `awsQueryError` trait, by exception name. */
  errorCodes: ReadonlyMap<string, { code: string; statusCode: number }>;
}

/**
 * The `awsQueryError` codes of a model's exceptions: Query services name errors on the wire apart
 * from their exception classes, and the SDKs and CLIs match the wire code.
 */
export function queryErrorCodesOf(model: Record<string, unknown>): Map<string, { code: string; statusCode: number }> {
  const codes = new Map<string, { code: string; statusCode: number }>();
  for (const [exportName, schema] of Object.entries(model)) {
    if (!exportName.endsWith('$') || !Array.isArray(schema) || schema[0] !== -3) continue;
    const normalized = NormalizedSchema.of(schema as never);
    const trait = normalized.getMergedTraits().awsQueryError as unknown;
    if (Array.isArray(trait) && typeof trait[0] === 'string') {
      codes.set(normalized.getName() ?? exportName.slice(0, -1), { code: trait[0], statusCode: typeof trait[1] === 'number' ? trait[1] : 400 });
    }
  }
  return codes;
}

/** Builds a service from handlers named after the model's operations (see `operationsOf`). */
export function defineQueryService(
  model: Record<string, unknown>,
  service: Omit<QueryService, 'operations' | 'protocol' | 'errorCodes'>,
  handlers: Record<string, Handler>,
  options: OperationOptions = {},
): QueryService {
  return { ...service, protocol: 'awsQuery', operations: operationsOf(model, service.id, handlers, options), errorCodes: queryErrorCodesOf(model) };
}

/** The operation `Action` names at the `Version` the service speaks; AWS's errors otherwise. */
export function queryOperationOf(service: QueryService, request: QueryRequest | undefined): Operation {
  if (!request) throw new ApiError('MissingAction', 'Missing Action');
  if (request.version === undefined) throw new ApiError('MissingParameter', 'The request must contain the parameter Version.');
  const operation = request.version === service.version ? service.operations.get(request.action) : undefined;
  if (!operation) {
    throw withHelp(new ApiError('InvalidAction', `Could not find operation ${request.action} for version ${request.version}`), {
      field: request.version === service.version ? 'Action' : 'Version',
      hint: `Berth serves ${[...service.operations.keys()].join(', ')} of this API, at version ${service.version}.`,
    });
  }
  return operation;
}

function invalid(name: string, expected: string, value: string): never {
  throw new ApiError('ValidationError', `Invalid value for parameter ${name}: expected ${expected}, got '${value}'.`);
}

/** A member's name on the wire: its xmlName when the model gives one. */
function wireName(schema: NormalizedSchema, fallback: string): string {
  const xmlName = schema.getMergedTraits().xmlName;
  return typeof xmlName === 'string' ? xmlName : fallback;
}

/** A list or map sent without its `member` / `entry` level. */
function isFlattened(schema: NormalizedSchema): boolean {
  return Boolean(schema.getMergedTraits().xmlFlattened);
}

/** Whether any parameter is `name` itself or lies under `name.`. */
function present(params: URLSearchParams, keys: readonly string[], name: string): boolean {
  return params.has(name) || keys.some((key) => key.startsWith(`${name}.`));
}

function decodeValue(params: URLSearchParams, keys: readonly string[], name: string, schema: NormalizedSchema): unknown {
  if (schema.isStructSchema()) {
    const value: Record<string, unknown> = {};
    for (const [member, memberSchema] of schema.structIterator()) {
      const key = `${name}${name ? '.' : ''}${wireName(memberSchema, member)}`;
      if (present(params, keys, key)) value[member] = decodeValue(params, keys, key, memberSchema);
    }
    return value;
  }
  if (schema.isListSchema()) {
    // An empty list is sent as the bare name with an empty value.
    if (params.get(name) === '') return [];
    const flattened = isFlattened(schema);
    const element = schema.getValueSchema();
    const prefix = flattened ? name : `${name}.${wireName(element, 'member')}`;
    const items: unknown[] = [];
    for (let index = 1; present(params, keys, `${prefix}.${index}`); index += 1) items.push(decodeValue(params, keys, `${prefix}.${index}`, element));
    return items;
  }
  if (schema.isMapSchema()) {
    const flattened = isFlattened(schema);
    const prefix = flattened ? name : `${name}.entry`;
    const keyName = wireName(schema.getKeySchema(), 'key');
    const valueName = wireName(schema.getValueSchema(), 'value');
    const entries: Record<string, unknown> = {};
    for (let index = 1; present(params, keys, `${prefix}.${index}`); index += 1) {
      const key = params.get(`${prefix}.${index}.${keyName}`);
      if (key === null) throw new ApiError('ValidationError', `Parameter ${prefix}.${index} has no ${keyName}.`);
      entries[key] = decodeValue(params, keys, `${prefix}.${index}.${valueName}`, schema.getValueSchema());
    }
    return entries;
  }
  const text = params.get(name) ?? '';
  if (schema.isBooleanSchema()) {
    if (text !== 'true' && text !== 'false') invalid(name, 'true or false', text);
    return text === 'true';
  }
  if (schema.isNumericSchema()) {
    const number = Number(text);
    if (text.trim() === '' || !Number.isFinite(number)) invalid(name, 'a number', text);
    return number;
  }
  return text;
}

/**
 * The operation's input from the request's parameters, shaped as the AWS JSON protocol would carry
 * it, so handlers read one shape whatever the protocol. Parameters the model does not know are left
 * out, as AWS ignores them.
 */
export function queryInputOf(operation: Operation, request: QueryRequest): Record<string, unknown> {
  const keys = [...request.params.keys()];
  return decodeValue(request.params, keys, '', operation.input) as Record<string, unknown>;
}

function timestampText(value: unknown): string {
  const date = value instanceof Date ? value : typeof value === 'number' ? new Date(value * 1000) : new Date(String(value));
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
}

function encodeValue(value: unknown, schema: NormalizedSchema): string {
  if (schema.isStructSchema()) {
    const record = value as Record<string, unknown>;
    let xml = '';
    for (const [member, memberSchema] of schema.structIterator()) {
      if (record[member] === undefined || record[member] === null) continue;
      const name = wireName(memberSchema, member);
      if (isFlattened(memberSchema) && memberSchema.isListSchema() && Array.isArray(record[member])) {
        for (const item of record[member] as unknown[]) xml += `<${name}>${encodeValue(item, memberSchema.getValueSchema())}</${name}>`;
      } else {
        xml += `<${name}>${encodeValue(record[member], memberSchema)}</${name}>`;
      }
    }
    return xml;
  }
  if (schema.isListSchema()) {
    const element = wireName(schema.getValueSchema(), 'member');
    return (value as unknown[]).map((item) => `<${element}>${encodeValue(item, schema.getValueSchema())}</${element}>`).join('');
  }
  if (schema.isMapSchema()) {
    const keyName = wireName(schema.getKeySchema(), 'key');
    const valueName = wireName(schema.getValueSchema(), 'value');
    return Object.entries(value as Record<string, unknown>)
      .map(([key, item]) => `<entry><${keyName}>${escapeXml(key)}</${keyName}><${valueName}>${encodeValue(item, schema.getValueSchema())}</${valueName}></entry>`)
      .join('');
  }
  if (schema.isTimestampSchema()) return timestampText(value);
  if (schema.isBlobSchema() && value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return escapeXml(String(value));
}

/** An operation's answer: `<XResponse><XResult>…</XResult><ResponseMetadata>…</ResponseMetadata></XResponse>`. */
export function queryResponse(service: QueryService, operation: Operation, output: unknown, requestId: string): ProtocolResponse {
  // An output structure without members still answers its (empty) result element: botocore looks
  // the element up by name (RegisterTargets answers <RegisterTargetsResult/>). Only a unit output has none.
  const result = operation.output.isStructSchema() ? `<${operation.name}Result>${encodeValue(output ?? {}, operation.output)}</${operation.name}Result>` : '';
  return {
    statusCode: 200,
    contentType: 'text/xml',
    body:
      `<${operation.name}Response xmlns="${escapeXml(service.xmlNamespace)}">` +
      result +
      `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata>` +
      `</${operation.name}Response>`,
  };
}
