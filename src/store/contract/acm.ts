/**
 * The store's contract for Certificate Manager: imported certificates. A certificate's record holds
 * what DescribeCertificate shows and the PEM text; its private key is kept apart, sealed (as secret
 * values are), and read only where a listener needs it.
 */
import type { Page, PageRequest, Versioned } from './core.js';

export interface CertificateTag {
  Key: string;
  Value?: string;
}

export interface CertificateRecord extends Versioned {
  arn: string;
  accountId: string;
  region: string;
  /** The certificate itself (one PEM block) and the chain that goes with it (PEM blocks, may be empty). */
  certificatePem: string;
  chainPem?: string;
  /** From the certificate: its subject's CN (or first SAN), every DNS SAN, and the rest DescribeCertificate shows. */
  domainName: string;
  subjectAlternativeNames: string[];
  subject: string;
  issuer: string;
  serial: string;
  /** RSA_2048, RSA_3072, RSA_4096, EC_prime256v1, EC_secp384r1. */
  keyAlgorithm: string;
  signatureAlgorithm: string;
  /** Epoch seconds. */
  notBefore: number;
  notAfter: number;
  createdAt: number;
  importedAt: number;
  tags: CertificateTag[];
}

export interface CertificatesTable {
  get(arn: string): Promise<CertificateRecord | undefined>;
  /** An account and region's certificates, oldest import first. */
  list(accountId: string, region: string, page: PageRequest): Promise<Page<CertificateRecord>>;
  put(record: CertificateRecord): Promise<void>;
  /** Removes the certificate and its private key. */
  delete(arn: string): Promise<void>;
  getPrivateKey(arn: string): Promise<string | undefined>;
  putPrivateKey(arn: string, privateKeyPem: string): Promise<void>;
}

export interface AcmTables {
  certificates: CertificatesTable;
}
