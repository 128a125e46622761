/**
 * AddListenerCertificates, RemoveListenerCertificates and DescribeListenerCertificates: the
 * certificates an HTTPS or TLS listener serves by SNI besides its default one. The default
 * certificate is changed with ModifyListener, never here.
 */
import {
  TooManyCertificatesException,
  type AddListenerCertificatesInput,
  type AddListenerCertificatesOutput,
  type DescribeListenerCertificatesInput,
  type DescribeListenerCertificatesOutput,
  type RemoveListenerCertificatesInput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { modelled, withHelp } from '../core/errors.js';
import type { RequestContext } from '../core/request-context.js';
import type { ListenerRecord } from '../store/contract/elbv2.js';
import type { Elbv2Deps } from './deps.js';
import { validationError } from './errors.js';
import { certificateQuota, checkCertificateExists, checkCertificateList, isTlsProtocol } from './listener-tls.js';
import { checkArn, listenerOf } from './lookup.js';
import { pageOfList } from './pagination.js';
import { checkPageSize } from './validate.js';

function checkNotDefault(input: AddListenerCertificatesInput | RemoveListenerCertificatesInput): string[] {
  const arns = checkCertificateList(input.Certificates);
  if (arns.length === 0) throw validationError('At least one certificate must be specified', { field: 'Certificates' });
  if ((input.Certificates ?? []).some((certificate) => certificate.IsDefault === true)) {
    throw withHelp(validationError('The default certificate of a listener cannot be added or removed; use ModifyListener to change it'), {
      field: 'Certificates',
      hint: 'aws elbv2 modify-listener --listener-arn … --certificates CertificateArn=…',
    });
  }
  return arns;
}

function tlsListener(listener: ListenerRecord): ListenerRecord {
  if (!isTlsProtocol(listener.protocol)) throw validationError(`Certificates can only be specified for HTTPS and TLS listeners, and listener '${listener.arn}' is ${listener.protocol}`, { field: 'ListenerArn' });
  return listener;
}

export function listenerCertificateOperations({ store }: Elbv2Deps) {
  return {
    async AddListenerCertificates(input: AddListenerCertificatesInput, ctx: RequestContext): Promise<AddListenerCertificatesOutput> {
      const arn = input.ListenerArn as string;
      checkArn(arn, 'listener', 'ListenerArn');
      const added = checkNotDefault(input);
      return store.write(async (tx) => {
        const listener = tlsListener(await listenerOf(tx, ctx, arn));
        for (const certificate of added) await checkCertificateExists(tx, ctx, certificate);
        const certificates = [...(listener.certificates ?? [])];
        for (const certificate of added) if (!certificates.some((c) => c.certificateArn === certificate)) certificates.push({ certificateArn: certificate, isDefault: false });
        // ELB's quota counts the certificates besides the default ones over all of the load balancer's listeners.
        const siblings = (await tx.listeners.forLoadBalancer(listener.loadBalancerArn)).filter((other) => other.arn !== listener.arn);
        const extra = [...siblings.flatMap((other) => other.certificates ?? []), ...certificates].filter((c) => !c.isDefault).length;
        if (extra > certificateQuota) {
          throw modelled(TooManyCertificatesException, `You've reached the limit on the number of certificates per load balancer`);
        }
        await tx.listeners.put({ ...listener, certificates });
        return { Certificates: added.map((certificate) => ({ CertificateArn: certificate, IsDefault: false })) };
      });
    },

    async RemoveListenerCertificates(input: RemoveListenerCertificatesInput, ctx: RequestContext): Promise<Record<string, never>> {
      const arn = input.ListenerArn as string;
      checkArn(arn, 'listener', 'ListenerArn');
      const removed = new Set(checkNotDefault(input));
      await store.write(async (tx) => {
        const listener = tlsListener(await listenerOf(tx, ctx, arn));
        const defaultArn = listener.certificates?.find((c) => c.isDefault)?.certificateArn;
        if (defaultArn !== undefined && removed.has(defaultArn)) {
          throw withHelp(validationError('The default certificate of a listener cannot be removed'), { field: 'Certificates', resource: defaultArn, hint: 'Make another certificate the default first: aws elbv2 modify-listener --certificates CertificateArn=…' });
        }
        const certificates = (listener.certificates ?? []).filter((c) => !removed.has(c.certificateArn));
        if (certificates.length !== (listener.certificates ?? []).length) await tx.listeners.put({ ...listener, certificates });
      });
      return {};
    },

    async DescribeListenerCertificates(input: DescribeListenerCertificatesInput, ctx: RequestContext): Promise<DescribeListenerCertificatesOutput> {
      const arn = input.ListenerArn as string;
      checkArn(arn, 'listener', 'ListenerArn');
      const pageSize = checkPageSize(input.PageSize);
      return store.read(async (tx) => {
        const listener = await listenerOf(tx, ctx, arn);
        const page = pageOfList(listener.certificates ?? [], input.Marker, pageSize);
        return {
          Certificates: page.items.map((c) => ({ CertificateArn: c.certificateArn, IsDefault: c.isDefault })),
          ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}),
        };
      });
    },
  };
}
