/**
 * ELB's SSL policies that Berth serves, with the protocols and ciphers AWS lists for each (cipher
 * names are OpenSSL's, as ELB's are), and how each becomes a TLS configuration the data planes hand
 * to OpenSSL. A policy name ELB knows but Berth does not list here is refused by name, never served
 * as something else.
 *
 * Policies that allow TLS 1.0 or 1.1 lower OpenSSL's security level to 0 for their listeners:
 * OpenSSL 3 refuses those protocol versions at its default level, and the policy says to accept them.
 */
import type { TlsPolicyConfig } from './data-plane/types.js';

export interface SslPolicy {
  name: string;
  protocols: ('TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3')[];
  /** TLS 1.2-and-below ciphers, most preferred first. */
  ciphers: string[];
}

const tls13 = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
const gcmForwardSecret = ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384'];
const forwardSecret12 = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES128-SHA256',
  'ECDHE-RSA-AES128-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES256-SHA384',
  'ECDHE-RSA-AES256-SHA384',
];
const forwardSecret = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES128-SHA256',
  'ECDHE-RSA-AES128-SHA256',
  'ECDHE-ECDSA-AES128-SHA',
  'ECDHE-RSA-AES128-SHA',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES256-SHA384',
  'ECDHE-RSA-AES256-SHA384',
  'ECDHE-RSA-AES256-SHA',
  'ECDHE-ECDSA-AES256-SHA',
];
const policy2016 = [...forwardSecret, 'AES128-GCM-SHA256', 'AES128-SHA256', 'AES128-SHA', 'AES256-GCM-SHA384', 'AES256-SHA256', 'AES256-SHA'];
const tls12Only2017 = [...forwardSecret12, 'AES128-GCM-SHA256', 'AES128-SHA256', 'AES256-GCM-SHA384', 'AES256-SHA256'];

export const sslPolicies: readonly SslPolicy[] = [
  { name: 'ELBSecurityPolicy-2016-08', protocols: ['TLSv1', 'TLSv1.1', 'TLSv1.2'], ciphers: policy2016 },
  { name: 'ELBSecurityPolicy-TLS-1-1-2017-01', protocols: ['TLSv1.1', 'TLSv1.2'], ciphers: policy2016 },
  { name: 'ELBSecurityPolicy-TLS-1-2-2017-01', protocols: ['TLSv1.2'], ciphers: tls12Only2017 },
  { name: 'ELBSecurityPolicy-TLS-1-2-Ext-2018-06', protocols: ['TLSv1.2'], ciphers: policy2016 },
  { name: 'ELBSecurityPolicy-FS-2018-06', protocols: ['TLSv1', 'TLSv1.1', 'TLSv1.2'], ciphers: forwardSecret },
  { name: 'ELBSecurityPolicy-FS-1-2-Res-2020-10', protocols: ['TLSv1.2'], ciphers: gcmForwardSecret },
  { name: 'ELBSecurityPolicy-TLS13-1-2-2021-06', protocols: ['TLSv1.2', 'TLSv1.3'], ciphers: forwardSecret12 },
  { name: 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06', protocols: ['TLSv1.2', 'TLSv1.3'], ciphers: gcmForwardSecret },
  { name: 'ELBSecurityPolicy-TLS13-1-3-2021-06', protocols: ['TLSv1.3'], ciphers: [] },
];

/** What a new HTTPS or TLS listener gets without an SslPolicy. */
export const defaultSslPolicy = 'ELBSecurityPolicy-2016-08';

export const sslPolicyNamed = (name: string) => sslPolicies.find((policy) => policy.name === name);

/** The policy's ciphers as DescribeSSLPolicies lists them: TLS 1.3 suites first, each with its priority. */
export function listedCiphers(policy: SslPolicy): { Name: string; Priority: number }[] {
  const names = [...(policy.protocols.includes('TLSv1.3') ? tls13 : []), ...policy.ciphers];
  return names.map((name, i) => ({ Name: name, Priority: i + 1 }));
}

export function tlsPolicyConfig(policy: SslPolicy): TlsPolicyConfig {
  const legacy = policy.protocols.includes('TLSv1') || policy.protocols.includes('TLSv1.1');
  return {
    name: policy.name,
    minVersion: policy.protocols[0]!,
    maxVersion: policy.protocols.includes('TLSv1.3') ? 'TLSv1.3' : 'TLSv1.2',
    ciphers: policy.ciphers.length === 0 ? '' : `${policy.ciphers.join(':')}${legacy ? ':@SECLEVEL=0' : ''}`,
    ciphersuites: policy.protocols.includes('TLSv1.3') ? tls13.join(':') : '',
  };
}

/** ALPN policies of NLB TLS listeners, as the protocol ids offered in order of preference. */
export const alpnPolicies: Record<string, string[]> = {
  HTTP1Only: ['http/1.1', 'http/1.0'],
  HTTP2Only: ['h2'],
  HTTP2Optional: ['http/1.1', 'http/1.0', 'h2'],
  HTTP2Preferred: ['h2', 'http/1.1', 'http/1.0'],
  None: [],
};
