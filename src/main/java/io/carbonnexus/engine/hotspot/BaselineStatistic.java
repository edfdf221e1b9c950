package io.carbonnexus.engine.hotspot;

import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a baseline is made from an entity's past window totals (e.g. its CO2 over each of the last
 * 28 days). Robust statistics only: one extreme day must not move the baseline.
 *
 * <ul>
 *   <li>{@code median}: the middle value. Half of ordinary days are above it, so with warn at
 *   1.0 × baseline an entity behaving as usual warns every other day.</li>
 *   <li>{@code pNN} (e.g. {@code p90}): the NN-th percentile (linear interpolation): ordinary days
 *   stay below it but for 100 − NN % of them.</li>
 *   <li>{@code median+Kmad} (default {@code median+3mad}): median + K × 1.4826 × MAD (median
 *   absolute deviation, scaled to match a standard deviation for normal data). An entity behaving
 *   as usual stays below 1.0 × baseline; its worst days only reach it.</li>
 * </ul>
 */
public final class BaselineStatistic {

  private static final Pattern PERCENTILE = Pattern.compile("p(\\d{1,2}(?:\\.\\d+)?)");
  private static final Pattern MEDIAN_MAD = Pattern.compile("median\\+(\\d+(?:\\.\\d+)?)mad");
  private static final double MAD_TO_SIGMA = 1.4826;

  private final String name;
  private final Double percentile;
  private final double madMultiple;

  private BaselineStatistic(String name, Double percentile, double madMultiple) {
    this.name = name;
    this.percentile = percentile;
    this.madMultiple = madMultiple;
  }

  public static BaselineStatistic parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replace(" ", "");
    if (t.equals("median")) {
      return new BaselineStatistic(t, null, 0);
    }
    Matcher p = PERCENTILE.matcher(t);
    if (p.matches()) {
      double value = Double.parseDouble(p.group(1));
      if (value > 0 && value < 100) {
        return new BaselineStatistic(t, value, 0);
      }
    }
    Matcher m = MEDIAN_MAD.matcher(t);
    if (m.matches()) {
      return new BaselineStatistic(t, null, Double.parseDouble(m.group(1)));
    }
    throw new IllegalArgumentException("unknown baseline statistic '" + text
      + "': expected median, a percentile such as p90, or median+Kmad such as median+3mad");
  }

  public String name() {
    return name;
  }

  /** The baseline of these window totals; NaN for none. */
  public double of(double[] totals) {
    if (totals.length == 0) {
      return Double.NaN;
    }
    double[] sorted = totals.clone();
    Arrays.sort(sorted);
    if (percentile != null) {
      return quantile(sorted, percentile / 100);
    }
    double median = quantile(sorted, 0.5);
    if (madMultiple == 0) {
      return median;
    }
    double[] deviations = new double[sorted.length];
    for (int i = 0; i < sorted.length; i++) {
      deviations[i] = Math.abs(sorted[i] - median);
    }
    Arrays.sort(deviations);
    return median + madMultiple * MAD_TO_SIGMA * quantile(deviations, 0.5);
  }

  private static double quantile(double[] sorted, double q) {
    double position = q * (sorted.length - 1);
    int low = (int) Math.floor(position);
    int high = (int) Math.ceil(position);
    return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
  }

  @Override
  public String toString() {
    return name;
  }
}
