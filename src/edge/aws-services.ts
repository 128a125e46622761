/**
 * The AWS services clients may point at Berth, keyed by the service name they sign with (the
 * credential scope's fourth part), with the name people know them by. For REST services the
 * protocol says which error envelope their clients parse; for the others the request's own shape
 * says it (X-Amz-Target, Action=, smithy-protocol).
 */
export interface AwsService {
  title: string;
  /** Set for services whose operations are method + path, so nothing in the request names the protocol. */
  rest?: 'json' | 'xml' | 's3';
}

export const awsServices: ReadonlyMap<string, AwsService> = new Map<string, AwsService>([
  ['ecs', { title: 'ECS' }],
  ['ecr', { title: 'ECR' }],
  ['secretsmanager', { title: 'Secrets Manager' }],
  ['sts', { title: 'STS' }],
  ['iam', { title: 'IAM' }],
  ['monitoring', { title: 'CloudWatch' }],
  ['logs', { title: 'CloudWatch Logs' }],
  ['elasticloadbalancing', { title: 'Elastic Load Balancing' }],
  ['acm', { title: 'Certificate Manager' }],
  ['events', { title: 'EventBridge' }],
  ['application-autoscaling', { title: 'Application Auto Scaling' }],
  ['autoscaling', { title: 'EC2 Auto Scaling' }],
  ['ssm', { title: 'Systems Manager' }],
  ['kms', { title: 'KMS' }],
  ['ec2', { title: 'EC2' }],
  ['cloudformation', { title: 'CloudFormation' }],
  ['sns', { title: 'SNS' }],
  ['sqs', { title: 'SQS' }],
  ['dynamodb', { title: 'DynamoDB' }],
  ['servicediscovery', { title: 'Cloud Map' }],
  ['route53', { title: 'Route 53', rest: 'xml' }],
  ['cloudfront', { title: 'CloudFront', rest: 'xml' }],
  ['s3', { title: 'S3', rest: 's3' }],
  ['lambda', { title: 'Lambda', rest: 'json' }],
  ['elasticfilesystem', { title: 'EFS', rest: 'json' }],
  ['appmesh', { title: 'App Mesh', rest: 'json' }],
  ['ecr-public', { title: 'ECR Public' }],
]);

/** "the IAM API (iam)", or the bare signing name for a service not listed. */
export function describeService(signingName: string): string {
  const service = awsServices.get(signingName);
  return service ? `the ${service.title} API (${signingName})` : `the AWS API signed as '${signingName}'`;
}

/** "ECS, ECR and Secrets Manager". */
export function listTitles(signingNames: readonly string[]): string {
  const titles = signingNames.map((name) => awsServices.get(name)?.title).filter((title): title is string => title !== undefined);
  return titles.length <= 1 ? (titles[0] ?? 'nothing') : `${titles.slice(0, -1).join(', ')} and ${titles.at(-1)}`;
}
