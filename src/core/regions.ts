/**
 * The regions a request's credential scope may name: those AWS has in its commercial (aws), China
 * (aws-cn) and GovCloud (aws-us-gov) partitions, as the AWS SDK's partition table lists them, plus
 * any the operator adds (`--extra-regions`). A signature scoped to anything else is refused as AWS
 * refuses it, so a typo in a region never silently creates a parallel set of resources.
 */
export const awsRegions: Readonly<Record<'aws' | 'aws-cn' | 'aws-us-gov', readonly string[]>> = {
  aws: [
    'af-south-1',
    'ap-east-1',
    'ap-east-2',
    'ap-northeast-1',
    'ap-northeast-2',
    'ap-northeast-3',
    'ap-south-1',
    'ap-south-2',
    'ap-southeast-1',
    'ap-southeast-2',
    'ap-southeast-3',
    'ap-southeast-4',
    'ap-southeast-5',
    'ap-southeast-6',
    'ap-southeast-7',
    'ca-central-1',
    'ca-west-1',
    'eu-central-1',
    'eu-central-2',
    'eu-north-1',
    'eu-south-1',
    'eu-south-2',
    'eu-west-1',
    'eu-west-2',
    'eu-west-3',
    'il-central-1',
    'me-central-1',
    'me-south-1',
    'me-west-1',
    'mx-central-1',
    'sa-east-1',
    'sa-west-1',
    'us-east-1',
    'us-east-2',
    'us-west-1',
    'us-west-2',
  ],
  'aws-cn': ['cn-north-1', 'cn-northwest-1'],
  'aws-us-gov': ['us-gov-east-1', 'us-gov-west-1'],
};

/** The shape of a region name: what `--region` and `--extra-regions` accept. */
export const regionPattern = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export type RegionSet = ReadonlySet<string>;

/** AWS's regions and the operator's extra ones. */
export function acceptedRegions(extra: readonly string[] = []): RegionSet {
  return new Set([...Object.values(awsRegions).flat(), ...extra]);
}
