/**
 * An HTTPS or TLS listener's `bind` options for haproxy: its certificates as a crt-list (the default
 * one first, which haproxy serves when no other certificate's names cover the client's SNI; the
 * others picked by the names in them), the SSL policy's protocol range and ciphers, and ALPN.
 *
 * Files are named by a hash of their content, so a changed certificate or list changes the
 * configuration's text and haproxy reloads (gracefully, its listening sockets handed over): the
 * certificates are not swapped through the runtime API.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { ListenerConfig, TlsPolicyConfig } from '../types.js';
import { literalWord } from './words.js';

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 24);

const versions: Record<TlsPolicyConfig['minVersion'], string> = { TLSv1: 'TLSv1.0', 'TLSv1.1': 'TLSv1.1', 'TLSv1.2': 'TLSv1.2', 'TLSv1.3': 'TLSv1.3' };

export interface RenderedTls {
  /** The words after `bind <address>:<port>`. */
  bindOptions: string;
  /** The default certificate's file (certificate and key), which the shared frontend on 127.0.0.1 serves for this listener. */
  defaultCertificateFile: string;
  /** path → content, each written with mode 0600 (they hold private keys). */
  files: Record<string, string>;
}

export function renderTls(listener: ListenerConfig, certificatesDir: string): RenderedTls | undefined {
  if (listener.certificate === undefined) return undefined;
  const files: Record<string, string> = {};
  const paths = [listener.certificate, ...(listener.sniCertificates ?? [])].map((pem) => {
    const content = `${pem.certificatePem.trim()}\n${pem.privateKeyPem.trim()}\n`;
    const path = join(certificatesDir, `${hashOf(content)}.pem`);
    files[path] = content;
    return path;
  });
  const list = paths.map((path) => `${path}\n`).join('');
  const listPath = join(certificatesDir, `${hashOf(list)}.crt-list`);
  files[listPath] = list;
  const words = [`ssl crt-list ${literalWord(listPath)}`];
  const policy = listener.tlsPolicy;
  if (policy !== undefined) {
    words.push(`ssl-min-ver ${versions[policy.minVersion]}`, `ssl-max-ver ${versions[policy.maxVersion]}`);
    if (policy.ciphers !== '') words.push(`ciphers ${literalWord(policy.ciphers)}`);
    if (policy.ciphersuites !== '') words.push(`ciphersuites ${literalWord(policy.ciphersuites)}`);
  }
  if (listener.alpnProtocols && listener.alpnProtocols.length > 0) words.push(`alpn ${listener.alpnProtocols.join(',')}`);
  return { bindOptions: words.join(' '), defaultCertificateFile: paths[0]!, files };
}
