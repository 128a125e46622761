/**
 * What a container is, in Berth's terms: the runtime-neutral request the task engine hands a
 * ContainerRuntime's `create`. `container-spec.ts` builds one from a task; each runtime reads it
 * (the Docker runtime through `docker-spec.ts`, which turns it into the Engine API's create body).
 *
 * Glossary:
 * - An optional member left out means "not set": the runtime's own default applies. Builders set
 *   only what the task asks for, so a runtime can tell "nothing asked" from "asked for the default".
 * - Sizes are bytes, durations seconds, CPU in the Linux kernel's units (shares; nano-CPUs for a
 *   hard cap), so no runtime has to guess a unit.
 * - Network attachment: `bridge` (the runtime's default network, with published ports), `host`,
 *   `none`, `network` (a named network, optionally at a fixed address) or `container` (joins the
 *   network namespace of another container, as an awsvpc task's containers join its pause container).
 */

export type SpecNetwork =
  | { mode: 'bridge' | 'host' | 'none' }
  | { mode: 'network'; name: string; ipv4Address?: string }
  | { mode: 'container'; containerId: string };

export interface SpecPort {
  containerPort: number;
  protocol: 'tcp' | 'udp';
  /** Absent: the runtime picks an ephemeral host port. */
  hostPort?: number;
}

export interface SpecMount {
  /** A host path or a named volume. */
  source: { hostPath: string } | { volume: string };
  containerPath: string;
  readOnly: boolean;
}

export interface SpecVolumesFrom {
  containerId: string;
  readOnly: boolean;
}

export interface SpecTmpfs {
  containerPath: string;
  /** Mount options as given (`rw`, `noexec`, …), without the size. */
  options: string[];
  sizeMiB?: number;
}

export interface SpecDevice {
  hostPath: string;
  containerPath: string;
  /** cgroup device permissions: some of `r`, `w`, `m`. */
  permissions: string;
}

export interface SpecUlimit {
  name: string;
  soft: number;
  hard: number;
}

export interface SpecHealthCheck {
  /** `CMD …` or `CMD-SHELL …`, as in ECS and Docker. */
  command: string[];
  intervalSeconds: number;
  timeoutSeconds: number;
  retries: number;
  startPeriodSeconds: number;
}

export interface SpecResources {
  cpuShares?: number;
  /** A hard CPU cap in billionths of a CPU. */
  nanoCpus?: number;
  memoryBytes?: number;
  memoryReservationBytes?: number;
  /** Memory plus swap. */
  memorySwapBytes?: number;
  memorySwappiness?: number;
  sharedMemoryBytes?: number;
  /** The cgroup to create the container under (its task's). */
  cgroupParent?: string;
}

export interface ContainerSpec {
  /** The container's name in the runtime, unique among its containers. */
  name: string;
  image: string;
  command?: string[];
  entrypoint?: string[];
  /** In order; a later entry of the same name would win, but builders merge before. */
  environment?: { name: string; value: string }[];
  labels: Record<string, string>;
  user?: string;
  workingDirectory?: string;
  hostname?: string;
  interactive?: boolean;
  tty?: boolean;
  network: SpecNetwork;
  /** No network at all, whatever the attachment says (ECS's disableNetworking). */
  networkDisabled?: boolean;
  /** Published ports; only a `bridge` attachment publishes. */
  ports?: SpecPort[];
  extraHosts?: { hostname: string; ipAddress: string }[];
  dnsServers?: string[];
  dnsSearchDomains?: string[];
  resources?: SpecResources;
  mounts?: SpecMount[];
  volumesFrom?: SpecVolumesFrom[];
  tmpfs?: SpecTmpfs[];
  readonlyRootFilesystem?: boolean;
  privileged?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  /** Runs an init process as PID 1 (ECS's initProcessEnabled). */
  init?: boolean;
  devices?: SpecDevice[];
  ulimits?: SpecUlimit[];
  securityOptions?: string[];
  sysctls?: Record<string, string>;
  pidMode?: 'host';
  ipcMode?: 'host' | 'none';
  log?: { driver: string; options: Record<string, string> };
  healthCheck?: SpecHealthCheck;
  /** The signal `stop` sends first; absent: the image's, else SIGTERM. */
  stopSignal?: string;
  /** Seconds between the stop signal and SIGKILL when the caller of `stop` gives none of its own. */
  stopTimeoutSeconds?: number;
}
