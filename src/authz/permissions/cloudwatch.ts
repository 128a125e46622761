/**
 * CloudWatch metrics' permissions (Service Authorization Reference, "Amazon CloudWatch"): the
 * service prefix is `cloudwatch` although requests are signed for `monitoring`. PutMetricData,
 * GetMetricData, GetMetricStatistics and ListMetrics have no resource-level permissions (`*`);
 * PutMetricData supplies `cloudwatch:namespace`, the namespace it writes to. The alarm operations
 * act on alarms, arn:aws:cloudwatch:<region>:<account>:alarm:<name>; DescribeAlarms,
 * DescribeAlarmsForMetric and DescribeAlarmHistory without an alarm name are on `*`.
 */
import { alarmArn } from '../../cloudwatch/alarms/names.js';
import type { Scope } from '../../core/principal.js';
import { on, onAny, requestTagKeys, tagKeysOf, text, texts, type PermissionTable } from './types.js';

const alarm = (scope: Scope, name: unknown) => {
  const given = text(name);
  return given === undefined ? undefined : alarmArn(scope, given);
};
const alarms = (scope: Scope, names: unknown) => on(texts(names).map((name) => alarmArn(scope, name)));

export const cloudWatchPermissions: PermissionTable = {
  PutMetricData: (input) => {
    const namespace = text(input.Namespace);
    return on([], namespace !== undefined ? { 'cloudwatch:namespace': namespace } : undefined);
  },
  GetMetricData: onAny,
  GetMetricStatistics: onAny,
  ListMetrics: onAny,
  PutMetricAlarm: (input, scope) => on([alarm(scope, input.AlarmName)], requestTagKeys(input.Tags, 'Key', 'Value')),
  DescribeAlarms: onAny,
  DescribeAlarmsForMetric: onAny,
  DescribeAlarmHistory: (input, scope) => (text(input.AlarmName) === undefined ? onAny(input, scope) : on([alarm(scope, input.AlarmName)])),
  DeleteAlarms: (input, scope) => alarms(scope, input.AlarmNames),
  SetAlarmState: (input, scope) => on([alarm(scope, input.AlarmName)]),
  EnableAlarmActions: (input, scope) => alarms(scope, input.AlarmNames),
  DisableAlarmActions: (input, scope) => alarms(scope, input.AlarmNames),
  TagResource: (input) => on([text(input.ResourceARN)], requestTagKeys(input.Tags, 'Key', 'Value')),
  UntagResource: (input) => on([text(input.ResourceARN)], tagKeysOf(input.TagKeys)),
  ListTagsForResource: (input) => on([text(input.ResourceARN)]),
};
