/**
 * Credentials for a task's pulls from Berth's own registry. ECS's agent gets a registry token with
 * the task execution role's credentials; Berth's control plane plays that role: it issues a token
 * of the task's own account and region for each container whose image is hosted here, so an image
 * pushed with docker runs as a task with no login on the host. The token's principal is the
 * execution role's session for the task when the task has one (the registry checks that role's
 * permissions), else the account's root, as before. Tokens for pulls are short-lived.
 */
import type { RegistryCredentials } from '../agent-channel-protocol/messages.js';
import { Arn } from '../core/arn.js';
import type { Registry } from './registry.js';

const pullTokenLifetimeSeconds = 60 * 60;

/** The registry host an image reference names, as docker reads it (`host[:port]/path`), or undefined for Docker Hub. */
export function registryHostOf(image: string): string | undefined {
  const slash = image.indexOf('/');
  if (slash === -1) return undefined;
  const first = image.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : undefined;
}

/** Host names that reach a registry listening on a loopback address. */
function aliasesOf(host: string): string[] {
  const match = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.exec(host);
  if (!match) return [host];
  const port = match[2] ?? '';
  return [`127.0.0.1${port}`, `localhost${port}`, `[::1]${port}`];
}

export class TaskPullAuth {
  constructor(private readonly registry: Registry) {}

  isHostedHere(image: string): boolean {
    const host = registryHostOf(image);
    return host !== undefined && aliasesOf(this.registry.host).includes(host);
  }

  /** Registry credentials for each named container whose image Berth hosts, for the task's account. */
  async credentialsFor(
    taskArn: string,
    /** The execution role's session for the task (arn:aws:sts::…:assumed-role/<role>/<task id>), when it has one. */
    executionPrincipalArn: string | undefined,
    containers: readonly { name: string; image: string }[],
    nowSeconds: number,
  ): Promise<Record<string, RegistryCredentials>> {
    const task = Arn.parse(taskArn);
    const hosted = containers.filter((container) => this.isHostedHere(container.image));
    if (!task || hosted.length === 0) return {};
    const { password } = await this.registry.tokens.issue(
      { accountId: task.accountId, region: task.region, principalArn: executionPrincipalArn ?? `arn:aws:iam::${task.accountId}:root` },
      nowSeconds,
      pullTokenLifetimeSeconds,
    );
    return Object.fromEntries(hosted.map((container) => [container.name, { username: 'AWS', password, serverAddress: registryHostOf(container.image)! }]));
  }
}
