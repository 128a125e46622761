/**
 * ImportCertificate (new, or again into an existing ARN), DescribeCertificate, GetCertificate,
 * ListCertificates and DeleteCertificate. Only imported certificates exist: Berth issues none.
 * "In use" means an ELBv2 listener serves it (its default certificate or one chosen by SNI).
 */
import type {
  DeleteCertificateRequest,
  DescribeCertificateRequest,
  DescribeCertificateResponse,
  GetCertificateRequest,
  GetCertificateResponse,
  ImportCertificateRequest,
  ImportCertificateResponse,
  ListCertificatesRequest,
  ListCertificatesResponse,
} from '@aws-sdk/client-acm';
import type { RequestContext } from '../core/request-context.js';
import type { Wire } from '../core/wire.js';
import type { CertificateRecord } from '../store/contract/acm.js';
import type { StoreTx } from '../store/types.js';
import type { AcmDeps } from './deps.js';
import { certificateInUse, certificateNotFound, constraintFailed, invalidParameter, validation } from './errors.js';
import { checkImport } from './pem.js';
import { presentDetail, presentSummary, statusOf } from './present.js';
import { blobText, checkCertificateArn, checkTags, inScope } from './validate.js';

/** Imported with this ARN form, under the caller's account and region. */
export const certificateArnOf = (scope: { accountId: string; region: string }, id: string) => `arn:aws:acm:${scope.region}:${scope.accountId}:certificate/${id}`;

export async function certificateOf(tx: StoreTx, ctx: RequestContext, arn: string): Promise<CertificateRecord> {
  const record = inScope(arn, ctx.scope) ? await tx.certificates.get(arn) : undefined;
  if (!record) throw certificateNotFound(arn);
  return record;
}

/** The load balancers whose listeners serve the certificate, as ACM's InUseBy lists them. */
export async function usersOf(tx: StoreTx, arn: string): Promise<string[]> {
  return [...new Set((await tx.listeners.usingCertificate(arn)).map((listener) => listener.loadBalancerArn))];
}

const statuses = ['PENDING_VALIDATION', 'ISSUED', 'INACTIVE', 'EXPIRED', 'VALIDATION_TIMED_OUT', 'REVOKED', 'FAILED'];
const keyTypes = ['RSA_1024', 'RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_prime256v1', 'EC_secp384r1', 'EC_secp521r1'];
/** What ListCertificates returns when `Includes.keyTypes` is not given, as ACM documents. */
const defaultKeyTypes = ['RSA_1024', 'RSA_2048'];

function checkList(input: Wire<ListCertificatesRequest>) {
  if (input.MaxItems !== undefined && (!Number.isInteger(input.MaxItems) || input.MaxItems < 1 || input.MaxItems > 1000)) throw constraintFailed('maxItems', input.MaxItems, 'have value between 1 and 1000');
  for (const status of input.CertificateStatuses ?? []) if (!statuses.includes(status)) throw constraintFailed('certificateStatuses', status, `satisfy enum value set: [${statuses.join(', ')}]`);
  const includes = input.Includes ?? {};
  for (const type of includes.keyTypes ?? []) if (!keyTypes.includes(type)) throw constraintFailed('includes.keyTypes', type, `satisfy enum value set: [${keyTypes.join(', ')}]`);
  for (const unsupported of ['extendedKeyUsage', 'keyUsage', 'exportOption', 'managedBy'] as const) {
    if (includes[unsupported] !== undefined) throw validation(`Filtering by Includes.${unsupported} is not supported`, { field: `Includes.${unsupported}`, hint: 'Certificates imported into Berth carry no key usages, are not exportable and are managed by no service: filter by keyTypes only.' });
  }
  for (const unsupported of ['CertificateKeyPairOrigins', 'RootHierarchyTypes'] as const) {
    if (input[unsupported] !== undefined) throw validation(`Filtering by ${unsupported} is not supported`, { field: unsupported, hint: 'Berth holds imported certificates only.' });
  }
  if (input.SortBy !== undefined && input.SortBy !== 'CREATED_AT') throw constraintFailed('sortBy', input.SortBy, 'satisfy enum value set: [CREATED_AT]');
  if (input.SortOrder !== undefined && !['ASCENDING', 'DESCENDING'].includes(input.SortOrder)) throw constraintFailed('sortOrder', input.SortOrder, 'satisfy enum value set: [ASCENDING, DESCENDING]');
  if (input.NextToken !== undefined && !/^\d+$/.test(input.NextToken)) throw invalidParameter('The NextToken is not valid.', { field: 'NextToken', hint: 'Pass the NextToken of a previous response unchanged.' });
  return { keyTypes: includes.keyTypes ?? defaultKeyTypes, statuses: input.CertificateStatuses, pageSize: input.MaxItems ?? 1000 };
}

export function certificateOperations({ store, clock, ids }: AcmDeps) {
  return {
    async ImportCertificate(input: Wire<ImportCertificateRequest>, ctx: RequestContext): Promise<Wire<ImportCertificateResponse>> {
      const arn = input.CertificateArn === undefined ? undefined : checkCertificateArn(input.CertificateArn);
      const certificatePem = blobText(input.Certificate, 'certificate', 32768);
      const privateKeyPem = blobText(input.PrivateKey, 'privateKey', 5120);
      const chainPem = blobText(input.CertificateChain, 'certificateChain', 2097152);
      if (certificatePem === undefined) throw constraintFailed('certificate', undefined, 'not be null');
      if (privateKeyPem === undefined) throw constraintFailed('privateKey', undefined, 'not be null');
      const tags = input.Tags === undefined ? [] : checkTags(input.Tags);
      if (arn !== undefined && tags.length > 0) throw validation('Tags can not be specified when re-importing a certificate.', { field: 'Tags', hint: 'Tag it with aws acm add-tags-to-certificate.' });
      const now = clock.now();
      const parsed = checkImport(certificatePem, privateKeyPem, chainPem, now);
      const nowSeconds = now.getTime() / 1000;
      return store.write(async (tx) => {
        const existing = arn === undefined ? undefined : await certificateOf(tx, ctx, arn);
        if (existing && existing.keyAlgorithm !== parsed.keyAlgorithm) {
          // ACM keeps a certificate's key type and size across reimports.
          throw validation(`The certificate you are reimporting has a key algorithm of ${parsed.keyAlgorithm}, but the existing certificate's is ${existing.keyAlgorithm}. The key type and size cannot be changed.`, {
            field: 'PrivateKey',
            resource: existing.arn,
            hint: 'Import a certificate with another key type as a new certificate (without --certificate-arn) and point the listeners at it.',
          });
        }
        const record: CertificateRecord = {
          ...(existing ?? { arn: certificateArnOf(ctx.scope, ids.uuid()), accountId: ctx.scope.accountId, region: ctx.scope.region, createdAt: nowSeconds, tags }),
          ...parsed,
          certificatePem: certificatePem.trim() + '\n',
          ...(chainPem === undefined ? {} : { chainPem: chainPem.trim() + '\n' }),
          importedAt: nowSeconds,
        };
        if (chainPem === undefined) delete record.chainPem;
        await tx.certificates.put(record);
        await tx.certificates.putPrivateKey(record.arn, privateKeyPem);
        return { CertificateArn: record.arn };
      });
    },

    async DescribeCertificate(input: Wire<DescribeCertificateRequest>, ctx: RequestContext): Promise<Wire<DescribeCertificateResponse>> {
      const arn = checkCertificateArn(input.CertificateArn);
      return store.read(async (tx) => {
        const record = await certificateOf(tx, ctx, arn);
        return { Certificate: presentDetail(record, clock.now().getTime() / 1000, await usersOf(tx, arn)) };
      });
    },

    async GetCertificate(input: Wire<GetCertificateRequest>, ctx: RequestContext): Promise<Wire<GetCertificateResponse>> {
      const arn = checkCertificateArn(input.CertificateArn);
      return store.read(async (tx) => {
        const record = await certificateOf(tx, ctx, arn);
        return { Certificate: record.certificatePem, ...(record.chainPem ? { CertificateChain: record.chainPem } : {}) };
      });
    },

    async ListCertificates(input: Wire<ListCertificatesRequest>, ctx: RequestContext): Promise<Wire<ListCertificatesResponse>> {
      const filter = checkList(input);
      const nowSeconds = clock.now().getTime() / 1000;
      return store.read(async (tx) => {
        // Every certificate of the account and region, filtered here: few enough to page in memory.
        const all: CertificateRecord[] = [];
        let after: string | undefined;
        do {
          const page = await tx.certificates.list(ctx.scope.accountId, ctx.scope.region, { limit: 1000, ...(after ? { after } : {}) });
          all.push(...page.items);
          after = page.next;
        } while (after !== undefined);
        const matching = all.filter((record) => filter.keyTypes.includes(record.keyAlgorithm) && (filter.statuses === undefined || filter.statuses.includes(statusOf(record, nowSeconds))));
        if (input.SortOrder === 'DESCENDING') matching.reverse();
        const start = input.NextToken === undefined ? 0 : Number(input.NextToken);
        const items = matching.slice(start, start + filter.pageSize);
        const summaries = await Promise.all(items.map(async (record) => presentSummary(record, nowSeconds, (await tx.listeners.usingCertificate(record.arn)).length > 0)));
        const next = start + filter.pageSize;
        return { CertificateSummaryList: summaries, ...(next < matching.length ? { NextToken: String(next) } : {}) };
      });
    },

    async DeleteCertificate(input: Wire<DeleteCertificateRequest>, ctx: RequestContext): Promise<Record<string, never>> {
      const arn = checkCertificateArn(input.CertificateArn);
      await store.write(async (tx) => {
        const record = await certificateOf(tx, ctx, arn);
        const users = await usersOf(tx, arn);
        if (users.length > 0) throw certificateInUse(arn, record.accountId, users);
        await tx.certificates.delete(arn);
      });
      return {};
    },
  };
}
