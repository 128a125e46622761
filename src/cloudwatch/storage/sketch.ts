/**
 * A mergeable percentile sketch: a log-bucketed histogram in the manner of DDSketch. A value v > 0
 * falls in bucket i = ceil(log_γ v) with γ = (1 + α) / (1 − α); the bucket's representative
 * 2γ^i / (γ + 1) is within α of every value in it, so any percentile read back is within a relative
 * error α = 1% of the exact one (negative values mirror this, zero has its own count). Two sketches
 * merge by adding counts, which is what a period made of many points and a minute row made of many
 * puts need.
 */

export const sketchRelativeError = 0.01;
const gamma = (1 + sketchRelativeError) / (1 - sketchRelativeError);
const logGamma = Math.log(gamma);
// Values smaller in magnitude than this count as zero (CloudWatch rejects magnitudes below 8.5e-109 anyway).
const smallest = 1e-100;

export interface Sketch {
  positive: Map<number, number>;
  negative: Map<number, number>;
  zero: number;
}

export function emptySketch(): Sketch {
  return { positive: new Map(), negative: new Map(), zero: 0 };
}

export function addToSketch(sketch: Sketch, value: number, count = 1): void {
  if (Math.abs(value) < smallest) {
    sketch.zero += count;
    return;
  }
  const index = Math.ceil(Math.log(Math.abs(value)) / logGamma);
  const side = value > 0 ? sketch.positive : sketch.negative;
  side.set(index, (side.get(index) ?? 0) + count);
}

export function mergeSketch(into: Sketch, from: Sketch): void {
  for (const [index, count] of from.positive) into.positive.set(index, (into.positive.get(index) ?? 0) + count);
  for (const [index, count] of from.negative) into.negative.set(index, (into.negative.get(index) ?? 0) + count);
  into.zero += from.zero;
}

const representative = (index: number) => (2 * Math.pow(gamma, index)) / (gamma + 1);

/** The buckets in ascending value order, each with its representative value and count. */
function ascending(sketch: Sketch): [number, number][] {
  const negative = [...sketch.negative].sort((a, b) => b[0] - a[0]).map(([index, count]): [number, number] => [-representative(index), count]);
  const positive = [...sketch.positive].sort((a, b) => a[0] - b[0]).map(([index, count]): [number, number] => [representative(index), count]);
  return [...negative, ...(sketch.zero > 0 ? [[0, sketch.zero] as [number, number]] : []), ...positive];
}

export function sketchCount(sketch: Sketch): number {
  let total = sketch.zero;
  for (const count of sketch.positive.values()) total += count;
  for (const count of sketch.negative.values()) total += count;
  return total;
}

/** The value of nearest rank ceil(percent/100 × n): the smallest value with at least that share of values at or below it. */
export function sketchPercentile(sketch: Sketch, percent: number): number | undefined {
  const total = sketchCount(sketch);
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil((percent / 100) * total - 1e-9));
  let seen = 0;
  let last = 0;
  for (const [value, count] of ascending(sketch)) {
    seen += count;
    last = value;
    if (seen >= rank) return value;
  }
  return last;
}

/** The mean of the values at ranks 1 … ceil(percent/100 × n) (CloudWatch's tmNN). */
export function sketchTrimmedMean(sketch: Sketch, percent: number): number | undefined {
  const total = sketchCount(sketch);
  if (total === 0) return undefined;
  const keep = Math.max(1, Math.ceil((percent / 100) * total - 1e-9));
  let taken = 0;
  let sum = 0;
  for (const [value, count] of ascending(sketch)) {
    const take = Math.min(count, keep - taken);
    sum += value * take;
    taken += take;
    if (taken >= keep) break;
  }
  return sum / taken;
}

/**
 * The stored form, little-endian: the zero count (float64), the number of positive and of negative
 * buckets (uint32 each), then each bucket as index (int32) and count (float64). Binary because
 * decoding is most of what reading a day of rows costs.
 */
export function encodeSketch(sketch: Sketch): Buffer {
  const buffer = Buffer.alloc(16 + (sketch.positive.size + sketch.negative.size) * 12);
  buffer.writeDoubleLE(sketch.zero, 0);
  buffer.writeUInt32LE(sketch.positive.size, 8);
  buffer.writeUInt32LE(sketch.negative.size, 12);
  let offset = 16;
  for (const side of [sketch.positive, sketch.negative]) {
    for (const [index, count] of side) {
      buffer.writeInt32LE(index, offset);
      buffer.writeDoubleLE(count, offset + 4);
      offset += 12;
    }
  }
  return buffer;
}

export function decodeSketch(buffer: Buffer): Sketch {
  const sketch: Sketch = { zero: buffer.readDoubleLE(0), positive: new Map(), negative: new Map() };
  const positive = buffer.readUInt32LE(8);
  const total = positive + buffer.readUInt32LE(12);
  let offset = 16;
  for (let i = 0; i < total; i += 1) {
    (i < positive ? sketch.positive : sketch.negative).set(buffer.readInt32LE(offset), buffer.readDoubleLE(offset + 4));
    offset += 12;
  }
  return sketch;
}
