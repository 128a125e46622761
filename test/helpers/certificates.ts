/** Throwaway certificates made with the openssl CLI (part of every Debian), for ACM and HTTPS listeners. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificate {
  certificatePem: string;
  privateKeyPem: string;
}

export interface CertificateOptions {
  commonName: string;
  /** DNS names besides the common name. */
  altNames?: string[];
  /** openssl's -newkey argument: rsa:2048 (default), rsa:1024, ec -pkeyopt ec_paramgen_curve:P-256 is `ec:P-256`, ed25519. */
  key?: string;
  days?: number;
  /** Signed by this certificate authority instead of by itself. */
  issuer?: TestCertificate;
  /** A CA certificate (basicConstraints CA:TRUE). */
  ca?: boolean;
}

function keyArguments(key: string): string[] {
  if (key.startsWith('ec:')) return ['-newkey', 'ec', '-pkeyopt', `ec_paramgen_curve:${key.slice(3)}`];
  return ['-newkey', key];
}

export function makeCertificate(options: CertificateOptions): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cert-'));
  try {
    const names = [options.commonName, ...(options.altNames ?? [])].map((name) => `DNS:${name}`).join(',');
    const extensions = [`subjectAltName=${names}`, options.ca ? 'basicConstraints=critical,CA:TRUE' : 'basicConstraints=CA:FALSE'];
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    const days = String(options.days ?? 2);
    if (options.issuer === undefined) {
      execFileSync('openssl', ['req', '-x509', ...keyArguments(options.key ?? 'rsa:2048'), '-nodes', '-keyout', key, '-out', cert, '-days', days, '-subj', `/O=Berth Test/CN=${options.commonName}`, ...extensions.flatMap((e) => ['-addext', e])], { stdio: 'ignore' });
    } else {
      const csr = join(dir, 'req.csr');
      writeFileSync(join(dir, 'ca.pem'), options.issuer.certificatePem);
      writeFileSync(join(dir, 'ca.key'), options.issuer.privateKeyPem);
      writeFileSync(join(dir, 'ext.cnf'), extensions.join('\n') + '\n');
      execFileSync('openssl', ['req', '-new', ...keyArguments(options.key ?? 'rsa:2048'), '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${options.commonName}`], { stdio: 'ignore' });
      execFileSync('openssl', ['x509', '-req', '-in', csr, '-CA', join(dir, 'ca.pem'), '-CAkey', join(dir, 'ca.key'), '-CAcreateserial', '-out', cert, '-days', days, '-extfile', join(dir, 'ext.cnf')], { stdio: 'ignore' });
    }
    return { certificatePem: readFileSync(cert, 'utf8'), privateKeyPem: readFileSync(key, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
