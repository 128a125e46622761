/** Fenwick tree over 0/1 flags: remove an element and find the k-th remaining one in O(log n). */
export class PresenceTree {
  private readonly tree: Int32Array;
  private count: number;

  /** All n positions start present. */
  constructor(private readonly n: number) {
    this.tree = new Int32Array(n + 1);
    for (let i = 1; i <= n; i++) this.tree[i] = i & -i;
    this.count = n;
  }

  get size(): number {
    return this.count;
  }

  remove(position: number): void {
    this.count--;
    for (let i = position + 1; i <= this.n; i += i & -i) this.tree[i]!--;
  }

  /** Position of the k-th (0-based) present element; k < size. */
  select(k: number): number {
    let pos = 0;
    let remaining = k;
    let step = 1;
    while (step * 2 <= this.n) step *= 2;
    for (; step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= this.n && this.tree[next]! <= remaining) {
        pos = next;
        remaining -= this.tree[next]!;
      }
    }
    return pos;
  }
}
