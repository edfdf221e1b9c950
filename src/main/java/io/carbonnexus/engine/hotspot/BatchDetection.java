package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.hotspot.HotspotPolicy.Kind;
import io.carbonnexus.engine.hotspot.HotspotPolicy.Transition;
import io.carbonnexus.engine.shared.Severity;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Replays detection over a past range, in memory, from a state with no hotspot: what the engine
 * would have opened, escalated and resolved had it run every {@code step}. Pure; the live
 * hotspots are not read or touched.
 *
 * <p>Emissions come as totals per entity per bucket of {@code step} (bucket 0 starts at
 * {@code origin} = from − window); the window total at a time is the sum of the buckets in
 * (t − window, t], slid along with one addition and one subtraction per step.
 */
public final class BatchDetection {

  /** One change the replay found. */
  public record Change(Instant at, String entityType, String entity, Transition transition) {
  }

  private BatchDetection() {
  }

  /**
   * @param buckets per entity ("type\u0000entity"), totals by bucket index
   * @param baselines per entity, the baseline used at every step (entities without one are not evaluated)
   */
  public static List<Change> replay(Instant from, Instant to, Duration step, Duration window,
                                    Map<String, Map<Integer, Double>> buckets, Map<String, Double> baselines,
                                    Thresholds thresholds) {
    long stepMs = step.toMillis();
    if (window.toMillis() % stepMs != 0) {
      throw new IllegalArgumentException("the step must divide the window (" + window + ")");
    }
    int windowBuckets = (int) (window.toMillis() / stepMs);
    int steps = (int) (Duration.between(from, to).toMillis() / stepMs);
    List<Change> changes = new ArrayList<>();
    for (Map.Entry<String, Map<Integer, Double>> entry : new TreeMap<>(buckets).entrySet()) {
      Double baseline = baselines.get(entry.getKey());
      if (baseline == null || !(baseline > 0)) {
        continue;
      }
      String[] key = entry.getKey().split("\u0000", 2);
      Map<Integer, Double> series = entry.getValue();
      double total = 0;
      for (int b = 1; b <= windowBuckets; b++) {
        total += series.getOrDefault(b, 0.0);
      }
      Severity state = null;
      for (int s = 0; s <= steps; s++) {
        if (s > 0) {
          total += series.getOrDefault(windowBuckets + s, 0.0) - series.getOrDefault(s, 0.0);
        }
        Transition t = HotspotPolicy.evaluate(state, Math.max(0, total), baseline, thresholds);
        if (t.kind().isTransition()) {
          changes.add(new Change(from.plusMillis(s * stepMs), key[0], key[1], t));
        }
        state = t.kind() == Kind.RESOLVED || t.kind() == Kind.NONE ? null : t.severity();
      }
    }
    changes.sort((a, b) -> a.at().compareTo(b.at()));
    return changes;
  }
}
