/**
 * The log drivers a task definition may name that Berth's agent hands to the Docker engine with
 * their options, as the Amazon ECS agent does: Docker's own drivers among ECS's. The control plane
 * refuses the others (awslogs, awsfirelens) at launch; the agent advertises each of these that its
 * engine ships as `com.amazonaws.ecs.capability.logging-driver.<driver>`.
 */
export const dockerLogDrivers: readonly string[] = ['json-file', 'syslog', 'journald', 'gelf', 'fluentd', 'splunk'];
