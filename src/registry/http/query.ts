/**
 * The query parameters the /v2/ routes read, checked as they are read and before anything is
 * looked up: each given at most once, and each in its form. A parameter the route does not read is
 * left alone (containerd adds `ns` when it uses a registry as a mirror).
 */
import { parseDigest } from '../digest.js';
import { RegistryError, type RegistryErrorCode } from '../errors.js';
import { repositoryNameProblem } from '../names.js';

/** Each parameter a route reads, with the error that refuses it given twice or in a wrong form. */
const readParameters = {
  n: { code: 'PAGINATION_NUMBER_INVALID' },
  last: { code: 'PAGINATION_NUMBER_INVALID' },
  digest: { code: 'DIGEST_INVALID' },
  mount: { code: 'DIGEST_INVALID' },
  from: { code: 'NAME_INVALID' },
  artifactType: { code: 'UNSUPPORTED', status: 400 },
} satisfies Record<string, { code: RegistryErrorCode; status?: number }>;

export type QueryParameter = keyof typeof readParameters;

/** RFC 6838 bounds a media type's type and subtype at 127 characters each. */
const mediaTypePattern = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

/** A value as an error message may quote it: overlong input is cut, not echoed whole. */
const quoted = (value: string) => (value.length > 200 ? `${value.slice(0, 200)}…` : value);

function refuse(name: QueryParameter, message: string, value: string): RegistryError {
  const { code, status } = readParameters[name] as { code: RegistryErrorCode; status?: number };
  return new RegistryError(code, message, { [name]: quoted(value) }, status);
}

/** Reads one parameter of a request's query, checked: refused when given twice or in a wrong form. */
export class RegistryQuery {
  constructor(private readonly params: URLSearchParams) {}

  get(name: QueryParameter): string | undefined {
    const values = this.params.getAll(name);
    if (values.length === 0) return undefined;
    if (values.length > 1) throw refuse(name, `the query parameter ${name} was given ${values.length} times; give it once`, values.join(','));
    const value = values[0]!;
    checkParameter(name, value);
    return value;
  }
}

function checkParameter(name: QueryParameter, value: string): void {
  switch (name) {
    case 'n':
      pageSize(value);
      return;
    case 'last':
      // Any text: the listing goes on after it in sort order, whether or not it names an entry.
      return;
    case 'digest':
    case 'mount':
      if (!parseDigest(value)) throw refuse(name, `${name} must be a sha256 or sha512 digest ('sha256:' and 64 hex digits), got '${quoted(value)}'`, value);
      return;
    case 'from': {
      const problem = repositoryNameProblem(value);
      if (problem) throw refuse(name, `from must name a repository of this registry: '${quoted(value)}' ${problem}`, value);
      return;
    }
    case 'artifactType':
      if (!mediaTypePattern.test(value)) throw refuse(name, `artifactType must be a media type such as application/vnd.example+json, got '${quoted(value)}'`, value);
      return;
  }
}

/**
 * A page size, `n`: decimal digits only, and a safe integer. Anything else (a sign, a fraction, an
 * exponent, an empty value, a number past 2^53) is refused, as distribution refuses what it cannot parse.
 */
export function pageSize(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) {
    throw refuse('n', `n must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, got '${quoted(value)}'`, value);
  }
  return n;
}
