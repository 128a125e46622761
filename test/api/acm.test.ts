/**
 * Certificate Manager through @aws-sdk/client-acm: imported certificates only.
 *
 * Known deviations from ACM, shown here: KeyUsages and ExtendedKeyUsages are always empty and
 * RenewalEligibility INELIGIBLE (Berth does not read the extensions, and renews nothing); the
 * words of a few ValidationExceptions ACM does not document (a chain that did not issue the
 * certificate, one not valid yet, a reimport changing the key type) are Berth's own.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  ACMClient,
  AddTagsToCertificateCommand,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  GetCertificateCommand,
  ImportCertificateCommand,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
  RemoveTagsFromCertificateCommand,
} from '@aws-sdk/client-acm';
import { AdvancingClock } from '../../src/core/clock.js';
import { rejects } from '../helpers/assertions.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { makeCertificate, type TestCertificate } from '../helpers/certificates.js';

const bytes = (text: string) => new TextEncoder().encode(text);

/** A certificate without extensions, which openssl makes as X.509 version 1. */
function versionOneCertificate(commonName: string): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cert-v1-'));
  try {
    execFileSync('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'req.csr'), '-subj', `/CN=${commonName}`], { stdio: 'ignore' });
    execFileSync('openssl', ['x509', '-req', '-in', join(dir, 'req.csr'), '-signkey', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2'], { stdio: 'ignore' });
    return { certificatePem: readFileSync(join(dir, 'cert.pem'), 'utf8'), privateKeyPem: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const arnPattern = /^arn:aws:acm:us-east-1:000000000000:certificate\/[0-9a-f-]{36}$/;

describe('Certificate Manager', () => {
  let berth: TestBerth;
  let acm: ACMClient;
  const clock = new AdvancingClock();
  let rsa: TestCertificate;
  let ec: TestCertificate;
  const client = (offsetMs = 0, region = 'us-east-1') => new ACMClient({ endpoint: berth.url, region, credentials: testCredentials, maxAttempts: 1, systemClockOffset: offsetMs });
  const importOne = async (certificate: TestCertificate, extra: { CertificateChain?: Uint8Array; CertificateArn?: string; Tags?: { Key: string; Value?: string }[] } = {}) =>
    (await acm.send(new ImportCertificateCommand({ Certificate: bytes(certificate.certificatePem), PrivateKey: bytes(certificate.privateKeyPem), ...extra }))).CertificateArn as string;

  before(async () => {
    berth = await startBerth({}, { clock });
    acm = client();
    rsa = makeCertificate({ commonName: 'www.example.test', altNames: ['api.example.test', '*.apps.example.test'] });
    ec = makeCertificate({ commonName: 'ec.example.test', key: 'ec:P-256' });
  });
  after(async () => {
    acm.destroy();
    await berth.close();
  });

  it('imports a certificate and describes what it holds, as ACM does', async () => {
    const arn = await importOne(rsa, { Tags: [{ Key: 'team', Value: 'web' }] });
    assert.match(arn, arnPattern);
    const { Certificate: detail } = await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }));
    assert.equal(detail?.DomainName, 'www.example.test');
    assert.deepEqual(detail?.SubjectAlternativeNames, ['www.example.test', 'api.example.test', '*.apps.example.test']);
    assert.equal(detail?.Type, 'IMPORTED');
    assert.equal(detail?.Status, 'ISSUED');
    assert.equal(detail?.KeyAlgorithm, 'RSA-2048');
    assert.equal(detail?.SignatureAlgorithm, 'SHA256WITHRSA');
    assert.equal(detail?.Issuer, 'Berth Test');
    assert.match(detail?.Serial ?? '', /^[0-9a-f]{2}(:[0-9a-f]{2})+$/);
    assert.ok(detail?.NotBefore instanceof Date && detail.NotAfter instanceof Date && detail.NotAfter > detail.NotBefore);
    assert.deepEqual(detail?.InUseBy, []);
    const got = await acm.send(new GetCertificateCommand({ CertificateArn: arn }));
    assert.equal(got.Certificate?.trim(), rsa.certificatePem.trim());
    assert.equal(got.CertificateChain, undefined);
    assert.deepEqual((await acm.send(new ListTagsForCertificateCommand({ CertificateArn: arn }))).Tags, [{ Key: 'team', Value: 'web' }]);
    // The private key is sealed at rest: no line of it is in the database files.
    const stored = Buffer.concat(['berth.db', 'berth.db-wal'].map((name) => join(berth.dataDir, name)).filter(existsSync).map((path) => readFileSync(path)));
    const keyLines = rsa.privateKeyPem.split('\n').filter((line) => line.length > 40);
    assert.ok(keyLines.length > 0 && keyLines.every((line) => !stored.includes(line)));
  });

  it('imports EC keys and a certificate with its chain, and re-imports into the same ARN', async () => {
    const ecArn = await importOne(ec);
    const ecDetail = (await acm.send(new DescribeCertificateCommand({ CertificateArn: ecArn }))).Certificate;
    assert.deepEqual([ecDetail?.KeyAlgorithm, ecDetail?.SignatureAlgorithm], ['EC-prime256v1', 'SHA256WITHECDSA']);
    const ca = makeCertificate({ commonName: 'Berth Test CA', ca: true });
    const leaf = makeCertificate({ commonName: 'leaf.example.test', issuer: ca });
    const arn = await importOne(leaf, { CertificateChain: bytes(ca.certificatePem) });
    const got = await acm.send(new GetCertificateCommand({ CertificateArn: arn }));
    assert.equal(got.CertificateChain?.trim(), ca.certificatePem.trim());
    const other = makeCertificate({ commonName: 'renewed.example.test' });
    assert.equal(await importOne(other, { CertificateArn: arn }), arn);
    const detail = (await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate;
    assert.equal(detail?.DomainName, 'renewed.example.test');
    assert.equal((await acm.send(new GetCertificateCommand({ CertificateArn: arn }))).CertificateChain, undefined);
    await rejects(importOne(other, { CertificateArn: arn, Tags: [{ Key: 'a', Value: 'b' }] }), 'ValidationException');
    // The key type and size stay what they were.
    await rejects(importOne(makeCertificate({ commonName: 'renewed.example.test', key: 'rsa:3072' }), { CertificateArn: arn }), 'ValidationException', /key type and size cannot be changed/);
    assert.equal((await acm.send(new DescribeCertificateCommand({ CertificateArn: (await importOne(makeCertificate({ commonName: 'big.example.test', key: 'rsa:3072' }))) }))).Certificate?.KeyAlgorithm, 'RSA-3072');
  });

  it('refuses what ACM refuses, in its words', async () => {
    const wrongKey = makeCertificate({ commonName: 'other.example.test' });
    await rejects(acm.send(new ImportCertificateCommand({ Certificate: bytes(rsa.certificatePem), PrivateKey: bytes(wrongKey.privateKeyPem) })), 'ValidationException', /^The private key does not match the public key in the certificate\.$/);
    await rejects(acm.send(new ImportCertificateCommand({ Certificate: bytes(rsa.certificatePem + ec.certificatePem), PrivateKey: bytes(rsa.privateKeyPem) })), 'ValidationException', /^The certificate field contains more than one certificate\. You can specify only one certificate in this field\.$/);
    await rejects(acm.send(new ImportCertificateCommand({ Certificate: bytes('not a certificate'), PrivateKey: bytes(rsa.privateKeyPem) })), 'ValidationException', /^Unable to parse certificate\. Please ensure the certificate is in PEM format\.$/);
    const ed = makeCertificate({ commonName: 'ed.example.test', key: 'ed25519' });
    await rejects(acm.send(new ImportCertificateCommand({ Certificate: bytes(ed.certificatePem), PrivateKey: bytes(ed.privateKeyPem) })), 'ValidationException', /^The private key is not supported\.$/);
    await rejects(acm.send(new ImportCertificateCommand({ Certificate: bytes(rsa.certificatePem), PrivateKey: bytes(rsa.privateKeyPem), CertificateChain: bytes(ec.certificatePem) })), 'ValidationException', /^Could not validate the certificate with the certificate chain\.$/);
    const v1 = versionOneCertificate('v1.example.test');
    await rejects(acm.send(new ImportCertificateCommand({ Certificate: bytes(v1.certificatePem), PrivateKey: bytes(v1.privateKeyPem) })), 'ValidationException', /X\.509 version 3/);
    const missing = 'arn:aws:acm:us-east-1:000000000000:certificate/00000000-0000-0000-0000-000000000000';
    await rejects(acm.send(new DescribeCertificateCommand({ CertificateArn: missing })), 'ResourceNotFoundException', new RegExp(`^Could not find certificate with arn ${missing}\\.$`));
    await rejects(importOne(rsa, { CertificateArn: missing }), 'ResourceNotFoundException');
    await rejects(acm.send(new DescribeCertificateCommand({ CertificateArn: 'arn:aws:s3:::bucket-with-a-long-name' })), 'InvalidArnException');
    // Another region's client does not see this region's certificates.
    const arn = await importOne(rsa);
    const west = client(0, 'us-west-2');
    try {
      await rejects(west.send(new DescribeCertificateCommand({ CertificateArn: arn })), 'ResourceNotFoundException');
    } finally {
      west.destroy();
    }
  });

  it('lists by key type and status, page by page, and tags and untags', async () => {
    const listed = async (input: ConstructorParameters<typeof ListCertificatesCommand>[0]) => {
      const arns: string[] = [];
      let token: string | undefined;
      do {
        const page = await acm.send(new ListCertificatesCommand({ ...input, ...(token ? { NextToken: token } : {}) }));
        arns.push(...(page.CertificateSummaryList ?? []).map((summary) => summary.CertificateArn as string));
        token = page.NextToken;
      } while (token);
      return arns;
    };
    const ecArn = await importOne(ec);
    const rsaArn = await importOne(rsa);
    // By default ACM lists RSA_1024 and RSA_2048 certificates only.
    const byDefault = await listed({ MaxItems: 1 });
    assert.ok(byDefault.includes(rsaArn) && !byDefault.includes(ecArn));
    const all = await listed({ MaxItems: 2, Includes: { keyTypes: ['RSA_2048', 'EC_prime256v1'] } });
    assert.ok(all.includes(rsaArn) && all.includes(ecArn));
    assert.equal(new Set(all).size, all.length);
    assert.deepEqual(await listed({ CertificateStatuses: ['EXPIRED'], Includes: { keyTypes: ['RSA_2048', 'EC_prime256v1'] } }), []);
    await rejects(acm.send(new ListCertificatesCommand({ Includes: { keyUsage: ['DIGITAL_SIGNATURE'] } })), 'ValidationException');

    await acm.send(new AddTagsToCertificateCommand({ CertificateArn: rsaArn, Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }, { Key: 'c' }] }));
    await acm.send(new RemoveTagsFromCertificateCommand({ CertificateArn: rsaArn, Tags: [{ Key: 'a', Value: 'not 1' }, { Key: 'b' }] }));
    assert.deepEqual((await acm.send(new ListTagsForCertificateCommand({ CertificateArn: rsaArn }))).Tags, [{ Key: 'a', Value: '1' }, { Key: 'c' }]);
    await rejects(acm.send(new AddTagsToCertificateCommand({ CertificateArn: rsaArn, Tags: [{ Key: 'aws:reserved', Value: 'x' }] })), 'InvalidTagException');

    await acm.send(new DeleteCertificateCommand({ CertificateArn: ecArn }));
    await rejects(acm.send(new DescribeCertificateCommand({ CertificateArn: ecArn })), 'ResourceNotFoundException');
  });

  it('reports a certificate past its NotAfter as EXPIRED', async () => {
    const arn = await importOne(rsa);
    const threeDays = 3 * 24 * 3600 * 1000;
    clock.advance(threeDays);
    // A client per call: the SDK corrects its clock offset from each response's Date header.
    const later = async <T>(send: (acm: ACMClient) => Promise<T>): Promise<T> => {
      const shifted = client(threeDays);
      try {
        return await send(shifted);
      } finally {
        shifted.destroy();
      }
    };
    try {
      assert.equal((await later((c) => c.send(new DescribeCertificateCommand({ CertificateArn: arn })))).Certificate?.Status, 'EXPIRED');
      const expired = (await later((c) => c.send(new ListCertificatesCommand({ CertificateStatuses: ['EXPIRED'] })))).CertificateSummaryList?.map((s) => s.CertificateArn);
      assert.ok(expired?.includes(arn));
      // An expired certificate is refused at import, as ACM refuses it.
      await rejects(later((c) => c.send(new ImportCertificateCommand({ Certificate: bytes(rsa.certificatePem), PrivateKey: bytes(rsa.privateKeyPem) }))), 'ValidationException', /expired/);
    } finally {
      clock.advance(-threeDays);
    }
  });

  it('forgets an account\'s certificates and their keys when the account is reset', async () => {
    const arn = await importOne(rsa);
    await berth.server.store.reset({ kind: 'account', accountId: '000000000000' });
    await rejects(acm.send(new DescribeCertificateCommand({ CertificateArn: arn })), 'ResourceNotFoundException');
    assert.equal(await berth.server.store.read((tx) => tx.certificates.getPrivateKey(arn)), undefined);
  });
});
