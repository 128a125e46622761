/** A binary min-heap of instance indices under a caller-supplied order (total: ties broken by the caller). */
export class IndexHeap {
  private readonly items: number[];

  constructor(
    items: number[],
    private readonly compare: (a: number, b: number) => number,
  ) {
    this.items = items;
    for (let pos = (items.length >> 1) - 1; pos >= 0; pos--) this.siftDown(pos);
  }

  get size(): number {
    return this.items.length;
  }

  /** The smallest element; the heap must not be empty. */
  top(): number {
    return this.items[0]!;
  }

  pop(): void {
    const last = this.items.pop()!;
    if (this.items.length > 0) {
      this.items[0] = last;
      this.siftDown(0);
    }
  }

  /** Replaces the top element and restores order. */
  replaceTop(item: number): void {
    this.items[0] = item;
    this.siftDown(0);
  }

  /** The elements, in heap order (a copy). */
  toArray(): number[] {
    return this.items.slice();
  }

  /** Restores order after the top element's key changed. */
  fixTop(): void {
    this.siftDown(0);
  }

  private siftDown(start: number): void {
    const items = this.items;
    const n = items.length;
    const compare = this.compare;
    const item = items[start]!;
    let pos = start;
    for (;;) {
      let child = 2 * pos + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && compare(items[right]!, items[child]!) < 0) child = right;
      if (compare(items[child]!, item) >= 0) break;
      items[pos] = items[child]!;
      pos = child;
    }
    items[pos] = item;
  }
}
