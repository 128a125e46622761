/**
 * The server's long-running parts (the agent hub, the controllers), started in dependency order
 * and stopped in the reverse order, instead of by hand.
 *
 * A part names the parts it needs running (`after`): the FARGATE capacity controller asks the
 * agent hub for its hosts, so it starts after the hub and stops before it. Controllers are the
 * parts a reset stops and starts afresh; the others (the hub) keep running through one.
 *
 * Worked example: hub; services after hub; fargate after hub; gc; lifecycle. Start order (stable:
 * the list's order where nothing constrains it): hub, services, fargate, gc, lifecycle. Stop:
 * lifecycle, gc, fargate, services, hub. A reset stops lifecycle, gc, fargate, services and starts
 * them again in start order; the hub stays.
 */

export interface Part {
  readonly name: string;
  /** Parts that must be running before this one starts, and stay running until it stopped. */
  readonly after?: readonly string[];
  /** A controller is stopped around a reset and started afresh; other parts keep running through one. */
  readonly kind: 'controller' | 'service';
  start(): void;
  stop(): Promise<void>;
}

/** The parts in an order that starts each after those it needs; the list's own order otherwise. */
export function startOrder(parts: readonly Part[]): Part[] {
  const byName = new Map(parts.map((part) => [part.name, part]));
  if (byName.size !== parts.length) throw new Error('two server parts share a name');
  const ordered: Part[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (part: Part, path: readonly string[]) => {
    const seen = state.get(part.name);
    if (seen === 'done') return;
    if (seen === 'visiting') throw new Error(`server parts need each other: ${[...path, part.name].join(' → ')}`);
    state.set(part.name, 'visiting');
    for (const name of part.after ?? []) {
      const needed = byName.get(name);
      if (!needed) throw new Error(`server part ${part.name} needs ${name}, which no module provides`);
      visit(needed, [...path, part.name]);
    }
    state.set(part.name, 'done');
    ordered.push(part);
  };
  for (const part of parts) visit(part, []);
  return ordered;
}

/** Starts and stops a set of parts in dependency order. */
export class PartSet {
  private readonly ordered: Part[];

  constructor(parts: readonly Part[]) {
    this.ordered = startOrder(parts);
  }

  /** The parts in start order. */
  get names(): string[] {
    return this.ordered.map((part) => part.name);
  }

  start(kind?: Part['kind']): void {
    for (const part of this.ordered) if (kind === undefined || part.kind === kind) part.start();
  }

  /** Stops in reverse start order; every part is stopped even when one fails, and the first failure is thrown. */
  async stop(kind?: Part['kind']): Promise<void> {
    let failure: unknown;
    for (const part of [...this.ordered].reverse()) {
      if (kind !== undefined && part.kind !== kind) continue;
      try {
        await part.stop();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  }
}
