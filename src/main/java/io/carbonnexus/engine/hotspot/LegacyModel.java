package io.carbonnexus.engine.hotspot;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The algorithm before the seasonal one, kept as a configuration ({@code detection.algorithm:
 * legacy}) so that both can be measured on the same data: one window, its baseline a robust
 * statistic (median + 3 MAD by default) of the entity's totals over the past windows of the same
 * length before the current one; windows without emissions left out; no baseline with too few.
 */
public final class LegacyModel {

  private LegacyModel() {
  }

  /**
   * The baseline at {@code builtAt} (an hour boundary) from the entity's hours before it, or NaN
   * when it has too few windows with emissions.
   */
  public static double baseline(Instant builtAt, Hours hours, DetectionSettings s) {
    int windowHours = (int) s.legacyWindow().toHours();
    // The windows before the one being judged: the latest ends a window before the hour.
    int last = (int) (builtAt.getEpochSecond() / 3600 - hours.firstHour) - windowHours;
    List<Double> totals = new ArrayList<>();
    for (int k = 0; k < s.legacyHistoryWindows(); k++) {
      int end = Math.min(hours.length(), last - k * windowHours);
      int start = last - (k + 1) * windowHours;
      if (start < 0) {
        break;
      }
      double total = 0;
      for (int i = start; i < end; i++) {
        total += hours.co2[i];
      }
      if (total > 0) {
        totals.add(total);
      }
    }
    if (totals.size() < s.legacyMinWindows()) {
      return Double.NaN;
    }
    return s.legacyStatistic().of(totals.stream().mapToDouble(Double::doubleValue).toArray());
  }

  static Duration history(DetectionSettings s) {
    return s.legacyWindow().multipliedBy(s.legacyHistoryWindows());
  }
}
