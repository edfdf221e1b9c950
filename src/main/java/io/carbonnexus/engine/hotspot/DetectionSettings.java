package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.shared.EntityType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How detection judges, from configuration: the algorithm, its windows, the intensity test and
 * how models are learnt.
 *
 * @param algorithm {@code seasonal} (the default), or {@code legacy}: one window, its baseline a
 *     robust statistic of past window totals (kept to compare the two on the same data)
 * @param windows the windows, shortest first (seasonal)
 * @param intensityWindow the window over which kg CO2 per tonne-km is compared (seasonal), or null for none
 * @param intensityK spreads above the usual intensity to its upper edge
 * @param intensityMinEvents shipments a window needs before its intensity is judged
 * @param model how seasonal models are learnt
 * @param legacyWindow the legacy algorithm's one window
 * @param legacyStatistic its statistic of past window totals
 * @param legacyHistoryWindows how many past windows it uses
 * @param legacyMinWindows how many of them need emissions for a baseline
 */
public record DetectionSettings(String algorithm, List<WindowSpec> windows, Duration intensityWindow, double intensityK,
                                int intensityMinEvents, SeasonalModel.Settings model, Duration legacyWindow,
                                BaselineStatistic legacyStatistic, int legacyHistoryWindows, int legacyMinWindows) {

  public static final String SEASONAL = "seasonal";
  public static final String LEGACY = "legacy";

  public DetectionSettings {
    algorithm = algorithm.trim().toLowerCase(Locale.ROOT);
    Duration longest = windows.stream().map(WindowSpec::length).max(Duration::compareTo).orElse(legacyWindow);
    if (intensityWindow != null && intensityWindow.compareTo(longest) > 0) {
      longest = intensityWindow;
    }
    // Whole hours: learning works hour by hour.
    model = model.withGap(Duration.ofHours((longest.toMinutes() + 59) / 60));
    if (!algorithm.equals(SEASONAL) && !algorithm.equals(LEGACY)) {
      throw new IllegalArgumentException("detection.algorithm is '" + algorithm + "': seasonal or legacy");
    }
  }

  public boolean legacy() {
    return algorithm.equals(LEGACY);
  }

  /** The burst windows (up to {@link Evaluator#BURST_WINDOW}), on which a route's lanes are judged; none with legacy. */
  public List<WindowSpec> burstWindows() {
    return legacy() ? List.of() : windows.stream().filter(w -> w.length().compareTo(Evaluator.BURST_WINDOW) <= 0).toList();
  }

  /** The lengths of {@link #burstWindows()}: a route's lanes are observed over these; empty with legacy. */
  public List<Duration> laneLengths() {
    return burstWindows().stream().map(WindowSpec::length).toList();
  }

  /**
   * The windows an entity's lanes are observed over: a route's burst windows (its lanes' volume
   * tests), a supplier's intensity window (its lanes' shares of air freight); none otherwise, and
   * none with legacy.
   */
  public List<Duration> laneLengths(EntityType type) {
    if (type == EntityType.ROUTE) {
      return laneLengths();
    }
    return type == EntityType.SUPPLIER && !legacy() && intensityWindow != null ? List.of(intensityWindow) : List.of();
  }

  /** Every window any lane is observed over ({@link #laneLengths(EntityType)}). */
  public List<Duration> allLaneLengths() {
    List<Duration> lengths = new ArrayList<>(laneLengths());
    laneLengths(EntityType.SUPPLIER).stream().filter(l -> !lengths.contains(l)).forEach(lengths::add);
    return lengths;
  }

  /** Whether lanes are judged, and so learnt: a seasonal algorithm with burst windows or an intensity window. */
  public boolean judgesLanes() {
    return !allLaneLengths().isEmpty();
  }

  /** Every window length an evaluation needs observed: the windows, the intensity window, the legacy one. */
  public List<Duration> observedLengths() {
    List<Duration> lengths = new ArrayList<>();
    if (legacy()) {
      lengths.add(legacyWindow);
    } else {
      windows.forEach(w -> lengths.add(w.length()));
      if (intensityWindow != null && !lengths.contains(intensityWindow)) {
        lengths.add(intensityWindow);
      }
    }
    return lengths;
  }

  /** How much history before an evaluation its models need. */
  public Duration history() {
    return legacy() ? legacyWindow.multipliedBy(legacyHistoryWindows + 1) : model.history().plus(model.gap());
  }

  public Duration longestWindow() {
    return observedLengths().stream().max(Duration::compareTo).orElse(legacyWindow);
  }
}
