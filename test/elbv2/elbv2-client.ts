/** An ELBv2 client for a test Berth, and the few resources most ELBv2 tests start from. */
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { testCredentials, type TestBerth } from '../helpers/berth.js';

export const otherAccount = { accessKeyId: 'AKIATESTOTHER0000001', secretAccessKey: 'test-secret-key-for-the-other-account-01', accountId: '111111111111' };

export function elbClient(berth: TestBerth, region = 'us-east-1', credentials: { accessKeyId: string; secretAccessKey: string } = testCredentials): ElasticLoadBalancingV2Client {
  return new ElasticLoadBalancingV2Client({ endpoint: berth.url, region, credentials, maxAttempts: 1 });
}

/** Gives the test Berth a second account's root credentials. */
export async function addOtherAccount(berth: TestBerth): Promise<void> {
  const { accountId, ...keys } = otherAccount;
  await berth.server.store.write((tx) => tx.credentials.put({ ...keys, accountId, principalArn: `arn:aws:iam::${accountId}:root`, isRoot: true, createdAt: 0 }));
}

export async function createLoadBalancer(elb: ElasticLoadBalancingV2Client, name: string, type: 'application' | 'network' = 'application'): Promise<string> {
  const { LoadBalancers } = await elb.send(new CreateLoadBalancerCommand({ Name: name, Type: type, Subnets: ['subnet-local'] }));
  return LoadBalancers?.[0]?.LoadBalancerArn as string;
}

export async function createTargetGroup(elb: ElasticLoadBalancingV2Client, name: string, protocol: 'HTTP' | 'TCP' = 'HTTP', port = 80): Promise<string> {
  const { TargetGroups } = await elb.send(new CreateTargetGroupCommand({ Name: name, Protocol: protocol, Port: port }));
  return TargetGroups?.[0]?.TargetGroupArn as string;
}

export async function createForwardingListener(elb: ElasticLoadBalancingV2Client, loadBalancerArn: string, targetGroupArn: string, port = 8080, protocol: 'HTTP' | 'TCP' = 'HTTP'): Promise<string> {
  const { Listeners } = await elb.send(
    new CreateListenerCommand({ LoadBalancerArn: loadBalancerArn, Protocol: protocol, Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }] }),
  );
  return Listeners?.[0]?.ListenerArn as string;
}
