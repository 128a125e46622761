/**
 * Amazon Resource Names as a value type: parse once, format once, compare exactly.
 * arn:partition:service:region:account-id:resource
 */
export class Arn {
  constructor(
    readonly service: string,
    readonly region: string,
    readonly accountId: string,
    readonly resource: string,
    readonly partition = 'aws',
  ) {}

  static parse(text: string): Arn | undefined {
    const parts = text.split(':');
    if (parts.length < 6 || parts[0] !== 'arn') return undefined;
    const [, partition, service, region, accountId] = parts as [string, string, string, string, string];
    const resource = parts.slice(5).join(':');
    if (!partition || !service || !resource) return undefined;
    return new Arn(service, region, accountId, resource, partition);
  }

  /** The resource type before the first '/', e.g. "cluster" for "cluster/dev". */
  get resourceType(): string {
    const slash = this.resource.indexOf('/');
    return slash === -1 ? this.resource : this.resource.slice(0, slash);
  }

  /** The '/'-separated parts after the resource type. */
  get resourcePath(): string[] {
    const slash = this.resource.indexOf('/');
    return slash === -1 ? [] : this.resource.slice(slash + 1).split('/');
  }

  toString(): string {
    return `arn:${this.partition}:${this.service}:${this.region}:${this.accountId}:${this.resource}`;
  }
}
