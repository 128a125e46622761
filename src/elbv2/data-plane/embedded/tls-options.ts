/**
 * An HTTPS or TLS listener's TLS settings as node:tls takes them: the default certificate, the SSL
 * policy's protocols and ciphers (the server's order of preference, as ELB's), ALPN, and the
 * certificates chosen by SNI. A client's server name picks the default certificate when it covers
 * the name, else the first other certificate that does, else the default one (as ALB falls back).
 */
import { X509Certificate } from 'node:crypto';
import { createSecureContext, type SecureContext, type TlsOptions } from 'node:tls';
import type { CertificatePem, ListenerConfig } from '../types.js';

/** The policy's part of a secure context. */
function policyOptions(listener: ListenerConfig): TlsOptions {
  const policy = listener.tlsPolicy;
  if (policy === undefined) return {};
  // node:tls takes TLS 1.3 suites and older ciphers in one list; @SECLEVEL must come last.
  return { minVersion: policy.minVersion, maxVersion: policy.maxVersion, ciphers: [policy.ciphersuites, policy.ciphers].filter((part) => part !== '').join(':'), honorCipherOrder: true };
}

interface Candidate {
  names: X509Certificate;
  context: SecureContext;
}

/**
 * Chooses contexts by SNI from what the listener holds now: `update` swaps the certificates in, so
 * a running server serves new ones from its next handshake without being bound again.
 */
export class SniSelector {
  private candidates: Candidate[] = [];

  update(listener: ListenerConfig): void {
    const all: CertificatePem[] = [...(listener.certificate ? [listener.certificate] : []), ...(listener.sniCertificates ?? [])];
    const policy = policyOptions(listener);
    this.candidates = all.map((pem) => ({
      names: new X509Certificate(pem.certificatePem),
      context: createSecureContext({ cert: pem.certificatePem, key: pem.privateKeyPem, ...policy }),
    }));
  }

  readonly callback = (servername: string, done: (error: Error | null, context?: SecureContext) => void): void => {
    const match = this.candidates.find((candidate) => candidate.names.checkHost(servername) !== undefined);
    done(null, match?.context ?? this.candidates[0]?.context);
  };
}

/** The options a TLS server starts with (and takes again through setSecureContext when they change). */
export function tlsServerOptions(listener: ListenerConfig, sni: SniSelector): TlsOptions {
  sni.update(listener);
  return {
    cert: listener.certificate?.certificatePem,
    key: listener.certificate?.privateKeyPem,
    ...policyOptions(listener),
    ...(listener.alpnProtocols && listener.alpnProtocols.length > 0 ? { ALPNProtocols: listener.alpnProtocols } : {}),
    SNICallback: sni.callback,
  };
}

/** What decides whether a TLS server's secure context must be set again. */
export const tlsMaterialOf = (listener: ListenerConfig) => JSON.stringify([listener.certificate ?? null, listener.sniCertificates ?? [], listener.tlsPolicy ?? null]);
