/**
 * ImportCertificate's checks, as ACM makes them: one PEM certificate, an unencrypted PEM private
 * key of a supported type and size that matches it, an optional chain that issued it, and a
 * certificate valid at the time of import. Parsing is Node's own (X509Certificate, KeyObject).
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { validation } from './errors.js';

export interface ParsedCertificate {
  domainName: string;
  subjectAlternativeNames: string[];
  subject: string;
  issuer: string;
  serial: string;
  keyAlgorithm: string;
  signatureAlgorithm: string;
  notBefore: number;
  notAfter: number;
}

const certificateBlock = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const privateKeyBlock = /-----BEGIN ((?:RSA |EC )?PRIVATE KEY)-----[\s\S]*?-----END \1-----/;

/** The key types ACM imports, by the KeyAlgorithm name it shows. */
function keyAlgorithmOf(key: KeyObject): string | undefined {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' && [1024, 2048, 3072, 4096].includes(details.modulusLength ?? 0)) return `RSA_${details.modulusLength}`;
  if (key.asymmetricKeyType === 'ec' && ['prime256v1', 'secp384r1', 'secp521r1'].includes(details.namedCurve ?? '')) return `EC_${details.namedCurve}`;
  return undefined;
}

function parseOne(pem: string, message: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw validation(message, { hint: 'Give a PEM certificate (-----BEGIN CERTIFICATE-----), as a file: --certificate fileb://cert.pem.' });
  }
}

/** "DNS:a.example, DNS:*.b.example, IP Address:127.0.0.1" → the DNS names. */
function dnsNamesOf(certificate: X509Certificate): string[] {
  return (certificate.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4));
}

const fieldOf = (distinguishedName: string, name: string) =>
  distinguishedName.split('\n').find((line) => line.startsWith(`${name}=`))?.slice(name.length + 1);

/** "0A1B…" → "0a:1b:…", as ACM shows serial numbers. */
const serialOf = (hex: string) => (hex.length % 2 === 1 ? `0${hex}` : hex).toLowerCase().match(/../g)!.join(':');

const signatureAlgorithms: Record<string, string> = {
  sha256WithRSAEncryption: 'SHA256WITHRSA',
  sha384WithRSAEncryption: 'SHA384WITHRSA',
  sha512WithRSAEncryption: 'SHA512WITHRSA',
  sha1WithRSAEncryption: 'SHA1WITHRSA',
  'ecdsa-with-SHA256': 'SHA256WITHECDSA',
  'ecdsa-with-SHA384': 'SHA384WITHECDSA',
  'ecdsa-with-SHA512': 'SHA512WITHECDSA',
};

/**
 * The algorithm the certificate is signed with (Node 20 has no accessor for it): the signature
 * algorithm's identifier is the first algorithm identifier in the DER encoding, at the head of the
 * to-be-signed part, before the subject's key and the extensions.
 */
function signatureAlgorithmOf(certificate: X509Certificate): string {
  const der = certificate.raw.toString('latin1');
  const found = Object.entries(signatureAlgorithms)
    .map(([name, shown]) => ({ at: der.indexOf(oidOf(name)), shown }))
    .filter(({ at }) => at >= 0)
    .sort((a, b) => a.at - b.at);
  return found[0]?.shown ?? 'UNKNOWN';
}

/** The DER encoding of the signature algorithms' object identifiers, to find them in the certificate. */
function oidOf(name: string): string {
  const oids: Record<string, number[]> = {
    sha256WithRSAEncryption: [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b],
    sha384WithRSAEncryption: [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c],
    sha512WithRSAEncryption: [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d],
    sha1WithRSAEncryption: [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05],
    'ecdsa-with-SHA256': [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02],
    'ecdsa-with-SHA384': [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03],
    'ecdsa-with-SHA512': [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04],
  };
  return Buffer.from([0x06, oids[name]!.length, ...oids[name]!]).toString('latin1');
}

/** Where the DER element at `at` (tag, length) begins its content. */
function contentOf(der: Buffer, at: number): number {
  const length = der[at + 1] ?? 0;
  return at + 2 + (length & 0x80 ? length & 0x7f : 0);
}

/**
 * Whether the certificate is X.509 version 3: its to-be-signed part opens with the explicit
 * version field [0] holding the integer 2 (versions 1 and 2 carry no extensions, so no names).
 */
function isVersion3(certificate: X509Certificate): boolean {
  const der = certificate.raw;
  const tbs = contentOf(der, 0);
  const version = contentOf(der, tbs);
  return der[version] === 0xa0 && der[version + 2] === 0x02 && der[version + 3] === 0x01 && der[version + 4] === 0x02;
}

/** Checks what ImportCertificate is given; returns what DescribeCertificate shows of it. */
export function checkImport(certificatePem: string, privateKeyPem: string, chainPem: string | undefined, now: Date): ParsedCertificate {
  const blocks = certificatePem.match(certificateBlock) ?? [];
  if (blocks.length > 1) throw validation('The certificate field contains more than one certificate. You can specify only one certificate in this field.', { field: 'Certificate', hint: 'Put the intermediate certificates in --certificate-chain.' });
  const certificate = parseOne(blocks[0] ?? certificatePem, 'Unable to parse certificate. Please ensure the certificate is in PEM format.');

  if (!isVersion3(certificate)) {
    throw validation('The certificate must be an X.509 version 3 certificate.', { field: 'Certificate', hint: 'Sign it with extensions (a subjectAltName at least), as openssl req -x509 -addext … does.' });
  }

  const keyBlock = privateKeyPem.match(privateKeyBlock);
  let key: KeyObject;
  try {
    if (!keyBlock) throw new Error('no unencrypted PEM private key');
    key = createPrivateKey({ key: keyBlock[0], format: 'pem' });
  } catch {
    throw validation('The private key is not supported.', {
      field: 'PrivateKey',
      hint: 'Give an unencrypted PEM private key (-----BEGIN PRIVATE KEY-----); remove a passphrase with openssl pkey -in key.pem -out plain.pem.',
    });
  }
  const keyAlgorithm = keyAlgorithmOf(key);
  if (keyAlgorithm === undefined || keyAlgorithmOf(certificate.publicKey) === undefined) {
    throw validation('The private key is not supported.', { field: 'PrivateKey', hint: 'ACM imports RSA keys of 1024, 2048, 3072 or 4096 bits and EC keys on P-256, P-384 or P-521.' });
  }
  if (!certificate.checkPrivateKey(key)) throw validation('The private key does not match the public key in the certificate.', { field: 'PrivateKey' });

  if (chainPem !== undefined) {
    const chain = (chainPem.match(certificateBlock) ?? []).map((pem) => parseOne(pem, 'Unable to parse certificate chain. Please ensure the certificate chain is in PEM format.'));
    if (chain.length === 0) throw validation('Unable to parse certificate chain. Please ensure the certificate chain is in PEM format.', { field: 'CertificateChain' });
    const links = [certificate, ...chain];
    for (let i = 0; i + 1 < links.length; i++) {
      if (!links[i]!.checkIssued(links[i + 1]!) || !links[i]!.verify(links[i + 1]!.publicKey)) {
        throw validation('Could not validate the certificate with the certificate chain.', {
          field: 'CertificateChain',
          hint: 'The chain starts with the certificate that issued yours, each next one issuing the one before.',
        });
      }
    }
  }

  const notBefore = Date.parse(certificate.validFrom);
  const notAfter = Date.parse(certificate.validTo);
  if (now.getTime() < notBefore) throw validation('The certificate is not valid yet.', { field: 'Certificate', hint: `Its validity begins ${new Date(notBefore).toISOString()}.` });
  if (now.getTime() > notAfter) throw validation('The certificate has expired.', { field: 'Certificate', hint: `Its validity ended ${new Date(notAfter).toISOString()}.` });

  const names = dnsNamesOf(certificate);
  const commonName = fieldOf(certificate.subject, 'CN');
  const domainName = commonName ?? names[0];
  if (domainName === undefined) throw validation('The certificate must have a domain name in its subject CN or its subject alternative names.', { field: 'Certificate' });
  return {
    domainName,
    subjectAlternativeNames: names.length > 0 ? (names.includes(domainName) ? names : [domainName, ...names]) : [domainName],
    subject: certificate.subject.split('\n').join(','),
    issuer: fieldOf(certificate.issuer, 'O') ?? fieldOf(certificate.issuer, 'CN') ?? certificate.issuer.split('\n').join(','),
    serial: serialOf(certificate.serialNumber),
    keyAlgorithm,
    signatureAlgorithm: signatureAlgorithmOf(certificate),
    notBefore: notBefore / 1000,
    notAfter: notAfter / 1000,
  };
}
