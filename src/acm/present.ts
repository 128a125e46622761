/** ACM's shapes from the stored records: DescribeCertificate's detail and ListCertificates' summary. */
import type { CertificateDetail, CertificateSummary } from '@aws-sdk/client-acm';
import type { Wire } from '../core/wire.js';
import type { CertificateRecord } from '../store/contract/acm.js';

/** ISSUED while the certificate is valid, EXPIRED after its NotAfter. */
export const statusOf = (record: CertificateRecord, nowSeconds: number) => (nowSeconds > record.notAfter ? 'EXPIRED' : 'ISSUED');

export function presentDetail(record: CertificateRecord, nowSeconds: number, inUseBy: string[]): Wire<CertificateDetail> {
  return {
    CertificateArn: record.arn,
    DomainName: record.domainName,
    SubjectAlternativeNames: record.subjectAlternativeNames,
    Serial: record.serial,
    Subject: record.subject,
    Issuer: record.issuer,
    CreatedAt: record.createdAt,
    ImportedAt: record.importedAt,
    Status: statusOf(record, nowSeconds),
    InUseBy: inUseBy,
    NotBefore: record.notBefore,
    NotAfter: record.notAfter,
    // DescribeCertificate shows the key algorithm as RSA-2048, EC-prime256v1 (ListCertificates as its filter names them, RSA_2048).
    KeyAlgorithm: record.keyAlgorithm.replace('_', '-') as CertificateDetail['KeyAlgorithm'],
    SignatureAlgorithm: record.signatureAlgorithm,
    Type: 'IMPORTED',
    RenewalEligibility: 'INELIGIBLE',
    KeyUsages: [],
    ExtendedKeyUsages: [],
    Options: { CertificateTransparencyLoggingPreference: 'DISABLED' },
  };
}

export function presentSummary(record: CertificateRecord, nowSeconds: number, inUse: boolean): Wire<CertificateSummary> {
  return {
    CertificateArn: record.arn,
    DomainName: record.domainName,
    SubjectAlternativeNameSummaries: record.subjectAlternativeNames.slice(0, 100),
    HasAdditionalSubjectAlternativeNames: record.subjectAlternativeNames.length > 100,
    Status: statusOf(record, nowSeconds),
    Type: 'IMPORTED',
    KeyAlgorithm: record.keyAlgorithm as CertificateSummary['KeyAlgorithm'],
    KeyUsages: [],
    ExtendedKeyUsages: [],
    InUse: inUse,
    RenewalEligibility: 'INELIGIBLE',
    NotBefore: record.notBefore,
    NotAfter: record.notAfter,
    CreatedAt: record.createdAt,
    ImportedAt: record.importedAt,
  };
}
