package io.carbonnexus.engine.bench;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Latencies in fixed logarithmic buckets, each 5 % wide: a long run keeps a constant footprint
 * (a soak that stored every sample would itself look like a leak), and a percentile is exact to
 * 5 %.
 */
final class Histogram {

  private static final double MIN_MS = 0.01;
  private static final double FACTOR = 1.05;
  /** 0.01 ms × 1.05^400 ≈ 50 minutes: no request lasts longer. */
  private static final int BUCKETS = 400;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

  void record(double ms) {
    int bucket = ms <= MIN_MS ? 0 : (int) Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / Math.log(FACTOR)));
    counts.incrementAndGet(bucket);
  }

  /** The counts so far; with {@code reset} the histogram starts again from zero (one interval). */
  Snapshot snapshot(boolean reset) {
    long[] c = new long[BUCKETS];
    for (int i = 0; i < BUCKETS; i++) {
      c[i] = reset ? counts.getAndSet(i, 0) : counts.get(i);
    }
    return new Snapshot(c);
  }

  record Snapshot(long[] counts) {

    long total() {
      long n = 0;
      for (long c : counts) {
        n += c;
      }
      return n;
    }

    /** The upper edge of the bucket holding the p-th percentile, in ms; NaN when empty. */
    double percentile(double p) {
      long n = total();
      if (n == 0) {
        return Double.NaN;
      }
      long rank = (long) Math.ceil(p / 100 * n);
      long seen = 0;
      for (int i = 0; i < counts.length; i++) {
        seen += counts[i];
        if (seen >= Math.max(1, rank)) {
          return MIN_MS * Math.pow(FACTOR, i);
        }
      }
      return MIN_MS * Math.pow(FACTOR, counts.length - 1);
    }

    String describe() {
      return String.format(Locale.ROOT, "p50 %.1f ms, p99 %.1f ms, max %.1f ms (n = %,d)", percentile(50), percentile(99),
        percentile(100), total());
    }
  }
}
