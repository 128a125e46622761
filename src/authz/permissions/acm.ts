/**
 * Certificate Manager's permissions (Service Authorization Reference, "AWS Certificate Manager"):
 * every operation on one certificate on its ARN; ImportCertificate on the certificate it
 * reimports, or on `*` for a new one, with the tags as aws:RequestTag/aws:TagKeys; ListCertificates
 * on `*`.
 */
import { on, onAny, requestTagKeys, tagKeysOf, text, type PermissionOf, type PermissionTable } from './types.js';

const byArn: PermissionOf = (input) => on([text(input.CertificateArn)]);

export const acmPermissions: PermissionTable = {
  ImportCertificate: (input) => on([text(input.CertificateArn)], requestTagKeys(input.Tags, 'Key', 'Value')),
  DescribeCertificate: byArn,
  GetCertificate: byArn,
  ListCertificates: onAny,
  DeleteCertificate: byArn,
  AddTagsToCertificate: (input) => on([text(input.CertificateArn)], requestTagKeys(input.Tags, 'Key', 'Value')),
  RemoveTagsFromCertificate: (input) => {
    const tags = Array.isArray(input.Tags) ? (input.Tags as Record<string, unknown>[]) : [];
    return on([text(input.CertificateArn)], tagKeysOf(tags.map((tag) => tag?.Key)));
  },
  ListTagsForCertificate: byArn,
};
