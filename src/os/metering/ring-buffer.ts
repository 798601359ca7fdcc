// A fixed-capacity history: the oldest entry is overwritten once it is full.

export class RingBuffer<T> {
  private readonly entries: T[] = [];
  private next = 0;

  constructor(readonly capacity: number) {}

  push(entry: T): void {
    if (this.entries.length < this.capacity) this.entries.push(entry);
    else this.entries[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
  }

  /** The entries, oldest first. */
  toArray(): T[] {
    if (this.entries.length < this.capacity) return [...this.entries];
    return [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)];
  }

  get size(): number {
    return this.entries.length;
  }
}
