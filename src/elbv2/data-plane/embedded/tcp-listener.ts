/**
 * An NLB listener (TCP, or TLS terminated here): each client connection is piped to one target
 * of the default action's target group (round robin over the healthy ones, all registered ones
 * when none is; source-ip stickiness when configured). A connection counts as in flight on its
 * target until either side closes, so deregistration drains connections: no new ones go to a
 * draining target, and those still open are closed when its deregistration delay ends.
 */
import { connect, type Socket } from 'node:net';
import type { ListenerConfig, LoadBalancerConfig } from '../types.js';
import type { Counters } from './counters.js';
import type { TargetGroupRuntime } from './target-group.js';

export interface TcpListenerState {
  lb: LoadBalancerConfig;
  listener: ListenerConfig;
}

export interface TcpListenerDeps {
  targetGroup(arn: string): TargetGroupRuntime | undefined;
  counters: Counters;
  now(): number;
  random(): number;
}

function defaultTargetGroup(listener: ListenerConfig): string | undefined {
  const rule = listener.rules.find((candidate) => candidate.priority === 'default') ?? listener.rules[listener.rules.length - 1];
  const action = rule?.actions[rule.actions.length - 1];
  if (action?.type !== 'forward') return undefined;
  return action.targetGroups.find((entry) => entry.weight > 0)?.targetGroupArn ?? action.targetGroups[0]?.targetGroupArn;
}

export function handleConnection(client: Socket, state: TcpListenerState, deps: TcpListenerDeps): void {
  deps.counters.connection(state.lb.arn, client);
  client.on('error', () => client.destroy());
  const arn = defaultTargetGroup(state.listener);
  const group = arn === undefined ? undefined : deps.targetGroup(arn);
  const sourceIp = (client.remoteAddress ?? '').replace(/^::ffff:/, '');
  const target = group?.choose(deps.now(), deps.random, undefined, sourceIp);
  if (group === undefined || target === undefined) {
    client.destroy();
    return;
  }
  deps.counters.tg(group.config.arn).requestCount++;
  group.begin(target);
  target.connections.add(client);
  const upstream = connect({ host: target.config.address, port: target.config.port });
  upstream.setNoDelay(true);
  client.setNoDelay(true);
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    target.connections.delete(client);
    upstream.destroy();
    client.destroy();
    group.finish(target, deps.now());
  };
  upstream.on('error', finish);
  // The target closed: what it sent still reaches the client (pipe ends the client's side after it).
  upstream.on('close', () => client.end());
  client.on('close', finish);
  // Half-closes pass through: a client that ends its side still gets the target's answer.
  client.pipe(upstream);
  upstream.pipe(client);
  const idleMs = state.lb.idleTimeoutSeconds * 1000;
  if (idleMs > 0) client.setTimeout(idleMs, finish);
}
