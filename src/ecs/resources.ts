/**
 * Container instance resources in ECS's Resource form (CPU, MEMORY, PORTS, PORTS_UDP, GPU) and the
 * arithmetic of reserving and releasing them. Pure functions.
 */
import type { Resource } from '@aws-sdk/client-ecs';
import type { Wire } from '../core/wire.js';
import type { Reservation } from '../store/types.js';

export interface ResourceTotals {
  cpu: number;
  memory: number;
  tcpPorts: number[];
  udpPorts: number[];
  gpuIds: string[];
}

export function totalsOf(resources: Wire<Resource>[] | undefined): ResourceTotals {
  const find = (name: string) => resources?.find((resource) => resource.name === name);
  const ports = (name: string) => (find(name)?.stringSetValue ?? []).map(Number).filter((port) => Number.isInteger(port));
  return {
    cpu: find('CPU')?.integerValue ?? 0,
    memory: find('MEMORY')?.integerValue ?? 0,
    tcpPorts: ports('PORTS'),
    udpPorts: ports('PORTS_UDP'),
    gpuIds: find('GPU')?.stringSetValue ?? [],
  };
}

export function resourcesOf(totals: ResourceTotals): Wire<Resource>[] {
  const resources: Wire<Resource>[] = [
    { name: 'CPU', type: 'INTEGER', doubleValue: 0, longValue: 0, integerValue: totals.cpu },
    { name: 'MEMORY', type: 'INTEGER', doubleValue: 0, longValue: 0, integerValue: totals.memory },
    { name: 'PORTS', type: 'STRINGSET', doubleValue: 0, longValue: 0, integerValue: 0, stringSetValue: totals.tcpPorts.map(String) },
    { name: 'PORTS_UDP', type: 'STRINGSET', doubleValue: 0, longValue: 0, integerValue: 0, stringSetValue: totals.udpPorts.map(String) },
  ];
  if (totals.gpuIds.length > 0) {
    resources.push({ name: 'GPU', type: 'STRINGSET', doubleValue: 0, longValue: 0, integerValue: 0, stringSetValue: totals.gpuIds });
  }
  return resources;
}

/** Remaining resources after a task takes its reservation: CPU and memory shrink, ports join the reserved sets, GPUs leave the free set. */
export function reserve(remaining: ResourceTotals, reservation: Reservation): ResourceTotals {
  return {
    cpu: remaining.cpu - reservation.cpu,
    memory: remaining.memory - reservation.memory,
    tcpPorts: [...remaining.tcpPorts, ...reservation.tcpPorts],
    udpPorts: [...remaining.udpPorts, ...reservation.udpPorts],
    gpuIds: remaining.gpuIds.filter((id) => !reservation.gpuIds.includes(id)),
  };
}

export function release(remaining: ResourceTotals, reservation: Reservation): ResourceTotals {
  const without = (ports: number[], freed: number[]) => {
    const left = [...ports];
    for (const port of freed) {
      const at = left.indexOf(port);
      if (at !== -1) left.splice(at, 1);
    }
    return left;
  };
  return {
    cpu: remaining.cpu + reservation.cpu,
    memory: remaining.memory + reservation.memory,
    tcpPorts: without(remaining.tcpPorts, reservation.tcpPorts),
    udpPorts: without(remaining.udpPorts, reservation.udpPorts),
    gpuIds: [...new Set([...remaining.gpuIds, ...reservation.gpuIds])],
  };
}
