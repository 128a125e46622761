/**
 * CreateListener, DescribeListeners, ModifyListener and DeleteListener. A listener's default
 * actions are also its default rule (DescribeRules lists it, priority `default`), kept as a rule
 * record beside the listener so that "who forwards to this target group" is one question.
 *
 * HTTPS and TLS listeners carry certificates and an SSL policy (listener-tls.ts). UDP and TCP_UDP
 * are refused, saying so, until a data plane forwards datagrams.
 */
import {
  TooManyListenersException,
  type CreateListenerInput,
  type CreateListenerOutput,
  type DeleteListenerInput,
  type DescribeListenersInput,
  type DescribeListenersOutput,
  type ModifyListenerInput,
  type ModifyListenerOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { modelled, withHelp } from '../core/errors.js';
import type { RequestContext } from '../core/request-context.js';
import type { ElbAction, ListenerRecord, LoadBalancerRecord } from '../store/contract/elbv2.js';
import type { StoreTx } from '../store/types.js';
import { checkActions, checkActionTargets } from './actions.js';
import { checkBindable } from './bindable-ports.js';
import type { Elbv2Deps } from './deps.js';
import { duplicateListener, notSupported, validationError } from './errors.js';
import { listenerArn, ruleArn, shortId } from './ids.js';
import { checkArn, listenerOf, loadBalancerOf } from './lookup.js';
import { pageOfList } from './pagination.js';
import { presentListener } from './present.js';
import { checkTags } from './tags.js';
import { checkAlpnPolicy, checkCertificateList, checkSslPolicyName, resolveTls, type ListenerTls, type TlsRequest } from './listener-tls.js';
import { checkPageSize, checkPort } from './validate.js';

export const listenerQuota = 50;
const protocols = ['HTTP', 'HTTPS', 'TCP', 'TLS', 'UDP', 'TCP_UDP', 'GENEVE'];
const byType = { application: ['HTTPS', 'HTTP'], network: ['TCP_UDP', 'TLS', 'UDP', 'TCP'] };

function checkProtocolShape(protocol: string | undefined): void {
  if (protocol !== undefined && !protocols.includes(protocol)) {
    throw validationError(`1 validation error detected: Value '${protocol}' at 'protocol' failed to satisfy constraint: Member must satisfy enum value set: [${protocols.join(', ')}]`, {
      field: 'Protocol',
    });
  }
}

/** The listener protocol must suit the load balancer, and be one Berth serves. */
function checkProtocolFor(loadBalancer: LoadBalancerRecord, protocol: string): void {
  const allowed = byType[loadBalancer.type];
  if (!allowed.includes(protocol)) throw validationError(`Listener protocol '${protocol}' must be one of '${allowed.join(', ')}'`, { field: 'Protocol' });
  if (protocol === 'UDP' || protocol === 'TCP_UDP') {
    throw notSupported(`Listener protocol '${protocol}' is not supported`, 'Berth load balancers forward TCP and HTTP only: use a TCP listener.', 'Protocol');
  }
}

/** The TLS members' shapes, before any lookup. */
function checkTlsShapes(input: TlsRequest & { MutualAuthentication?: { Mode?: string } }): void {
  checkCertificateList(input.Certificates);
  checkSslPolicyName(input.SslPolicy);
  checkAlpnPolicy(input.AlpnPolicy);
  const mode = input.MutualAuthentication?.Mode;
  if (input.MutualAuthentication !== undefined && mode !== undefined && mode !== 'off') {
    throw notSupported(`Mutual TLS authentication mode '${mode}' is not supported`, 'Berth listeners do not ask clients for certificates: leave MutualAuthentication off (Mode=off).', 'MutualAuthentication.Mode');
  }
}

/** The listener's default rule, which carries its default actions. */
async function defaultRuleOf(tx: StoreTx, listener: string) {
  return (await tx.rules.forListener(listener)).find((rule) => rule.isDefault);
}

const sameListener = (a: ListenerRecord, protocol: string, actions: ElbAction[], tls: ListenerTls) =>
  a.protocol === protocol &&
  JSON.stringify(a.defaultActions) === JSON.stringify(actions) &&
  JSON.stringify([a.certificates?.[0], a.sslPolicy, a.alpnPolicy]) === JSON.stringify([tls.certificates?.[0], tls.sslPolicy, tls.alpnPolicy]);

export function listenerOperations({ store, clock, ids, lowestBindablePort }: Elbv2Deps) {
  return {
    async CreateListener(input: CreateListenerInput, ctx: RequestContext): Promise<CreateListenerOutput> {
      const arn = input.LoadBalancerArn as string;
      checkArn(arn, 'loadbalancer', 'LoadBalancerArn');
      checkProtocolShape(input.Protocol);
      if (input.Port !== undefined) checkPort(input.Port, 'Port');
      const actions = checkActions(input.DefaultActions ?? [], 'DefaultActions');
      const tags = checkTags(input.Tags ?? []);
      checkTlsShapes(input);
      return store.write(async (tx) => {
        const loadBalancer = await loadBalancerOf(tx, ctx, arn);
        if (input.Protocol === undefined) throw validationError('A listener protocol must be specified', { field: 'Protocol' });
        if (input.Port === undefined) throw validationError('A listener port must be specified', { field: 'Port' });
        checkProtocolFor(loadBalancer, input.Protocol);
        const tls = await resolveTls(tx, ctx, input.Protocol, input);
        checkBindable(input.Port, lowestBindablePort);
        const listeners = await tx.listeners.forLoadBalancer(arn);
        const onPort = listeners.find((listener) => listener.port === input.Port);
        if (onPort) {
          // The same listener again succeeds, as in AWS.
          if (sameListener(onPort, input.Protocol, actions, tls)) return { Listeners: [presentListener(onPort)] };
          throw withHelp(duplicateListener(arn), { resource: onPort.arn, hint: 'Change the existing listener with aws elbv2 modify-listener, or use another port.' });
        }
        if (listeners.length >= listenerQuota) throw modelled(TooManyListenersException, 'The quota for the number of listeners per load balancer has been reached');
        await checkActionTargets(tx, ctx, actions, { protocol: input.Protocol, loadBalancerArn: arn, loadBalancerType: loadBalancer.type });
        const now = clock.now().getTime() / 1000;
        const id = shortId(ids.hex32());
        const record: ListenerRecord = {
          arn: listenerArn(arn, id),
          accountId: loadBalancer.accountId,
          region: loadBalancer.region,
          loadBalancerArn: arn,
          id,
          port: input.Port,
          protocol: input.Protocol,
          defaultActions: actions,
          ...tls,
          tags,
          createdAt: now,
        };
        await tx.listeners.put(record);
        await tx.rules.put({
          arn: ruleArn(record.arn, shortId(ids.hex32())),
          accountId: record.accountId,
          region: record.region,
          listenerArn: record.arn,
          loadBalancerArn: arn,
          isDefault: true,
          conditions: [],
          actions,
          tags: [],
          createdAt: now,
        });
        return { Listeners: [presentListener(record)] };
      });
    },

    async DescribeListeners(input: DescribeListenersInput, ctx: RequestContext): Promise<DescribeListenersOutput> {
      const pageSize = checkPageSize(input.PageSize);
      const arns = input.ListenerArns ?? [];
      if (input.LoadBalancerArn === undefined && arns.length === 0) throw validationError('You must specify either listener ARNs or a load balancer ARN', { field: 'LoadBalancerArn' });
      if (input.LoadBalancerArn !== undefined && arns.length > 0) throw validationError('Listener ARNs and a load balancer ARN cannot be specified at the same time', { field: 'ListenerArns' });
      if (input.LoadBalancerArn !== undefined) checkArn(input.LoadBalancerArn, 'loadbalancer', 'LoadBalancerArn');
      for (const arn of arns) checkArn(arn, 'listener', 'ListenerArns');
      return store.read(async (tx) => {
        const found: ListenerRecord[] = [];
        if (input.LoadBalancerArn !== undefined) found.push(...(await tx.listeners.forLoadBalancer((await loadBalancerOf(tx, ctx, input.LoadBalancerArn)).arn)));
        for (const arn of arns) found.push(await listenerOf(tx, ctx, arn));
        const page = pageOfList(found, input.Marker, pageSize);
        return { Listeners: page.items.map(presentListener), ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}) };
      });
    },

    async ModifyListener(input: ModifyListenerInput, ctx: RequestContext): Promise<ModifyListenerOutput> {
      const arn = input.ListenerArn as string;
      checkArn(arn, 'listener', 'ListenerArn');
      checkProtocolShape(input.Protocol);
      if (input.Port !== undefined) checkPort(input.Port, 'Port');
      const actions = input.DefaultActions !== undefined ? checkActions(input.DefaultActions, 'DefaultActions') : undefined;
      checkTlsShapes(input);
      return store.write(async (tx) => {
        const listener = await listenerOf(tx, ctx, arn);
        const loadBalancer = await loadBalancerOf(tx, ctx, listener.loadBalancerArn);
        const protocol = input.Protocol ?? listener.protocol;
        const port = input.Port ?? listener.port;
        checkProtocolFor(loadBalancer, protocol);
        const tls = await resolveTls(tx, ctx, protocol, input, listener);
        if (port !== listener.port) checkBindable(port, lowestBindablePort);
        if (port !== listener.port && (await tx.listeners.forLoadBalancer(loadBalancer.arn)).some((other) => other.port === port)) throw duplicateListener(loadBalancer.arn);
        const defaultActions = actions ?? listener.defaultActions;
        await checkActionTargets(tx, ctx, defaultActions, { protocol, loadBalancerArn: loadBalancer.arn, loadBalancerType: loadBalancer.type });
        const { certificates: _c, sslPolicy: _s, alpnPolicy: _a, ...rest } = listener;
        const updated: ListenerRecord = { ...rest, protocol, port, defaultActions, ...tls };
        await tx.listeners.put(updated);
        const rule = await defaultRuleOf(tx, arn);
        if (rule && actions) await tx.rules.put({ ...rule, actions });
        return { Listeners: [presentListener(updated)] };
      });
    },

    async DeleteListener(input: DeleteListenerInput, ctx: RequestContext): Promise<Record<string, never>> {
      const arn = input.ListenerArn as string;
      checkArn(arn, 'listener', 'ListenerArn');
      await store.write(async (tx) => {
        const listener = await listenerOf(tx, ctx, arn);
        for (const rule of await tx.rules.forListener(arn)) await tx.rules.delete(rule.arn);
        await tx.listeners.delete(listener.arn);
      });
      return {};
    },
  };
}
