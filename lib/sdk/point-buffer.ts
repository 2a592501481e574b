import type { Column } from '../doc';

/** Initial capacity of a key's column; doubles as needed. */
const INITIAL_CAPACITY = 1024;

class GrowColumn implements Column {
  steps = new Float64Array(INITIAL_CAPACITY);
  timestamps = new Float64Array(INITIAL_CAPACITY);
  values = new Float64Array(INITIAL_CAPACITY);
  length = 0;

  push(step: number, ts: number, value: number): void {
    if (this.length === this.values.length) this.grow();
    const i = this.length++;
    this.steps[i] = step;
    this.timestamps[i] = ts;
    this.values[i] = value;
  }

  private grow(): void {
    const cap = this.values.length * 2;
    const g = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.steps = g(this.steps);
    this.timestamps = g(this.timestamps);
    this.values = g(this.values);
  }
}

/** Points of one run waiting to become chunks, already grouped by key in unboxed columns. */
export class PointBuffer {
  readonly cols = new Map<string, GrowColumn>();
  count = 0;

  push(key: string, step: number, ts: number, value: number): void {
    let c = this.cols.get(key);
    if (!c) this.cols.set(key, (c = new GrowColumn()));
    c.push(step, ts, value);
    this.count++;
  }
}
