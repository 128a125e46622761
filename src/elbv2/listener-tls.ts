/**
 * What HTTPS and TLS listeners carry beyond the others: their certificates (ACM certificates of the
 * same account and region; the default one, and others served by SNI), their SSL policy and, for
 * NLB TLS listeners, their ALPN policy. Shape checks come before lookups; `resolveTls` decides
 * a listener's TLS settings from its protocol, what it had, and what the request gives.
 */
import {
  ALPNPolicyNotSupportedException,
  CertificateNotFoundException,
  SSLPolicyNotFoundException,
  type Certificate,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { Arn } from '../core/arn.js';
import { modelled, withHelp } from '../core/errors.js';
import type { RequestContext } from '../core/request-context.js';
import type { ListenerCertificate, ListenerRecord } from '../store/contract/elbv2.js';
import type { StoreTx } from '../store/types.js';
import { validationError } from './errors.js';
import { alpnPolicies, defaultSslPolicy, sslPolicies, sslPolicyNamed } from './ssl-policies.js';

/** AWS's default quota of certificates per load balancer, besides its listeners' default ones. */
export const certificateQuota = 25;

export const isTlsProtocol = (protocol: string) => protocol === 'HTTPS' || protocol === 'TLS';

export const certificateNotFound = (arn: string, hint = 'Import it first: aws acm import-certificate --certificate fileb://cert.pem --private-key fileb://key.pem; list them with aws acm list-certificates.') =>
  withHelp(modelled(CertificateNotFoundException, `Certificate '${arn}' not found`), { resource: arn, field: 'Certificates', hint });

/** Each entry names a certificate by ARN; returns the ARNs in order. */
export function checkCertificateList(certificates: Certificate[] | undefined, field = 'Certificates'): string[] {
  return (certificates ?? []).map((certificate, i) => {
    if (typeof certificate.CertificateArn !== 'string' || certificate.CertificateArn === '') throw validationError(`A certificate ARN must be specified`, { field: `${field}.member.${i + 1}.CertificateArn` });
    return certificate.CertificateArn;
  });
}

export function checkSslPolicyName(name: string | undefined): void {
  if (name === undefined) return;
  if (!sslPolicyNamed(name)) {
    throw withHelp(modelled(SSLPolicyNotFoundException, `SSL policy '${name}' not found`), {
      field: 'SslPolicy',
      resource: name,
      hint: `Berth serves these SSL policies: ${sslPolicies.map((policy) => policy.name).join(', ')} (aws elbv2 describe-ssl-policies).`,
    });
  }
}

/** AlpnPolicy is a list of at most one of ELB's ALPN policy names. */
export function checkAlpnPolicy(value: string[] | undefined): string | undefined {
  if (value === undefined || value.length === 0) return undefined;
  if (value.length > 1) throw validationError('Only one ALPN policy can be specified', { field: 'AlpnPolicy' });
  const name = value[0]!;
  if (!(name in alpnPolicies)) throw modelled(ALPNPolicyNotSupportedException, `ALPN policy '${name}' is not supported`);
  return name;
}

/** The certificate is an ACM certificate of the caller's account and region that exists. */
export async function checkCertificateExists(tx: StoreTx, ctx: RequestContext, arn: string): Promise<void> {
  const parsed = Arn.parse(arn);
  if (parsed?.service === 'iam') throw certificateNotFound(arn, 'Berth serves ACM certificates only, not IAM server certificates: import the certificate with aws acm import-certificate and use its ARN.');
  const inScope = parsed?.service === 'acm' && parsed.accountId === ctx.scope.accountId && parsed.region === ctx.scope.region;
  if (!inScope || !(await tx.certificates.get(arn))) throw certificateNotFound(arn);
}

export interface TlsRequest {
  Certificates?: Certificate[];
  SslPolicy?: string;
  AlpnPolicy?: string[];
}

export type ListenerTls = Pick<ListenerRecord, 'certificates' | 'sslPolicy' | 'alpnPolicy'>;

/**
 * A listener's TLS settings once the request applies: an HTTPS or TLS listener has exactly one
 * default certificate (given now, or kept from before) and a policy (given, kept, or the default);
 * others have none of these, and may not be given them.
 */
export async function resolveTls(tx: StoreTx, ctx: RequestContext, protocol: string, request: TlsRequest, before?: ListenerRecord): Promise<ListenerTls> {
  const given = checkCertificateList(request.Certificates);
  const alpn = checkAlpnPolicy(request.AlpnPolicy);
  if (!isTlsProtocol(protocol)) {
    if (given.length > 0) throw validationError(`A certificate cannot be specified for ${protocol} listeners`, { field: 'Certificates' });
    if (request.SslPolicy !== undefined) throw validationError(`An SSL policy cannot be specified for ${protocol} listeners`, { field: 'SslPolicy' });
    if (alpn !== undefined) throw validationError(`An ALPN policy cannot be specified for ${protocol} listeners`, { field: 'AlpnPolicy' });
    return {};
  }
  if (alpn !== undefined && protocol !== 'TLS') throw validationError('An ALPN policy can only be specified for TLS listeners', { field: 'AlpnPolicy' });
  if (given.length > 1) throw validationError('You can specify only one default certificate for a listener', { field: 'Certificates', hint: 'Add the others with aws elbv2 add-listener-certificates: they are served by SNI.' });
  const wasTls = before !== undefined && isTlsProtocol(before.protocol);
  const others = wasTls ? (before.certificates ?? []).filter((certificate) => !certificate.isDefault) : [];
  const defaultArn = given[0] ?? (wasTls ? before.certificates?.find((certificate) => certificate.isDefault)?.certificateArn : undefined);
  if (defaultArn === undefined) throw validationError(`A certificate must be specified for ${protocol} listeners`, { field: 'Certificates' });
  if (given[0] !== undefined) await checkCertificateExists(tx, ctx, defaultArn);
  const certificates: ListenerCertificate[] = [{ certificateArn: defaultArn, isDefault: true }, ...others.filter((certificate) => certificate.certificateArn !== defaultArn)];
  const alpnPolicy = protocol === 'TLS' ? (alpn ?? (wasTls ? before.alpnPolicy : undefined)) : undefined;
  return {
    certificates,
    sslPolicy: request.SslPolicy ?? (wasTls ? before.sslPolicy : undefined) ?? defaultSslPolicy,
    ...(alpnPolicy !== undefined ? { alpnPolicy } : {}),
  };
}
