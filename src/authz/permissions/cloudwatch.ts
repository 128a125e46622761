/**
 * CloudWatch metrics' permissions (Service Authorization Reference, "Amazon CloudWatch"): the
 * service prefix is `cloudwatch` although requests are signed for `monitoring`. PutMetricData,
 * GetMetricData, GetMetricStatistics and ListMetrics have no resource-level permissions (`*`);
 * PutMetricData supplies `cloudwatch:namespace`, the namespace it writes to.
 */
import { on, onAny, text, type PermissionTable } from './types.js';

export const cloudWatchPermissions: PermissionTable = {
  PutMetricData: (input) => {
    const namespace = text(input.Namespace);
    return on([], namespace !== undefined ? { 'cloudwatch:namespace': namespace } : undefined);
  },
  GetMetricData: onAny,
  GetMetricStatistics: onAny,
  ListMetrics: onAny,
};
