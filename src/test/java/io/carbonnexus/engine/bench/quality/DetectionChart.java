package io.carbonnexus.engine.bench.quality;

import io.carbonnexus.engine.hotspot.Activity;
import io.carbonnexus.engine.hotspot.DetectionSettings;
import io.carbonnexus.engine.hotspot.EntityModel;
import io.carbonnexus.engine.hotspot.Evaluator;
import io.carbonnexus.engine.hotspot.HotspotPolicy;
import io.carbonnexus.engine.hotspot.Reading;
import io.carbonnexus.engine.hotspot.Replay;
import io.carbonnexus.engine.hotspot.SeasonalModel;
import io.carbonnexus.engine.hotspot.Thresholds;
import io.carbonnexus.engine.hotspot.WindowSpec;
import io.carbonnexus.engine.shared.EntityKey;
import io.carbonnexus.engine.shared.HotspotChange;
import io.carbonnexus.engine.shared.Severity;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws one entity of the labelled data set over two weeks as the engine judges it: per window
 * of the engine (by default 30 min, 1 h and 24 h), its value every hour, what was expected, the
 * upper edge of normal (the baseline its emissions reading compared with), and the periods its hotspot was open at warn or above, with the labelled anomalies
 * underneath. Writes an SVG for the docs: {@code docs/detection-example.svg}.
 * Run: {@code java -cp ... io.carbonnexus.engine.bench.quality.DetectionChart [supplier] [out]}.
 */
public final class DetectionChart {

  private static final int WIDTH = 1100;
  private static final int PANEL = 230;
  private static final int LEFT = 70;
  private static final int TOP = 40;

  public static void main(String[] args) throws Exception {
    String supplier = args.length > 0 ? args[0] : "Caledonia Freight";
    Path out = Path.of(args.length > 1 ? args[1] : "docs/detection-example.svg");
    Instant end = Instant.parse("2026-11-30T00:00:00Z");
    LabelledDataset data = LabelledDataset.generate(LabelledDataset.Settings.defaults(1, end));
    DetectionSettings settings = OfflineQuality.settings("seasonal",
      io.carbonnexus.engine.config.ConfigKeys.DETECTION_WINDOWS.defaultValue());
    Instant from = data.settings().scoredFrom();
    Instant origin = Replay.origin(from, Duration.ofMinutes(5), Duration.ZERO, settings);
    List<OfflineQuality.Predicted> events = OfflineQuality.predict(data.events());
    EntityKey key = new EntityKey("supplier", supplier);
    Replay.Timeline timeline = OfflineQuality.timelines(events, origin, end).get(key);
    // Cold, without the engine's warm-up: the shading below starts with no hotspot open.
    List<Replay.Change> changes = Replay.run(Map.of(key, timeline), from, end, Duration.ofMinutes(5), settings,
      Thresholds.defaults(), Map.of());

    StringBuilder svg = new StringBuilder();
    int height = TOP + settings.windows().size() * (PANEL + 50) + 70;
    svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
      + "font-family=\"sans-serif\" font-size=\"12\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n", WIDTH, height));
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s: two weeks as the"
      + " engine judged them (labelled data set, seed 1)</text>%n", LEFT, supplier));
    int y = TOP;
    for (WindowSpec w : settings.windows()) {
      panel(svg, y, w, timeline, from, end, settings, changes, data.labels(), supplier);
      y += PANEL + 50;
    }
    legend(svg, y);
    svg.append("</svg>\n");
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, svg);
    System.out.println("Wrote " + out + " (" + changes.size() + " changes)");
  }

  private static void panel(StringBuilder svg, int top, WindowSpec w, Replay.Timeline timeline, Instant from, Instant end,
                            DetectionSettings settings, List<Replay.Change> changes, List<Label> labels, String supplier) {
    int hours = (int) Duration.between(from, end).toHours();
    double[] value = new double[hours];
    double[] expected = new double[hours];
    double[] upper = new double[hours];
    double max = 0;
    for (int i = 0; i < hours; i++) {
      Instant at = from.plus(Duration.ofHours(i + 1));
      Instant hour = from.plus(Duration.ofHours(i));
      EntityModel model = EntityModel.learn(hour, timeline.hours(), settings);
      Activity a = timeline.between(at.minus(w.length()), at);
      value[i] = a.co2();
      if (model != null && model.seasonal() != null) {
        // What the engine compared: this window's emissions reading, when it made one (its
        // baseline is the upper edge); otherwise the usual band — expected kg, and the most
        // shipments normal for the hour at the usual kg each.
        Map<Duration, Evaluator.Observation> observations = new HashMap<>();
        for (Duration length : settings.observedLengths()) {
          observations.put(length, new Evaluator.Observation(length, at.minus(length), at,
            timeline.between(at.minus(length), at)));
        }
        Reading reading = Evaluator.readings(new EntityKey("supplier", supplier), model, observations, Map.of(), settings).stream()
          .filter(r -> r.measure() == Reading.Measure.EMISSIONS && w.label().equals(r.window())).findFirst().orElse(null);
        SeasonalModel.Expected x = model.seasonal().expected(at.minus(w.length()), at);
        double[] count = model.seasonal().countBand(x, w.k());
        expected[i] = reading != null && !Double.isNaN(reading.expected()) ? reading.expected() : x.co2();
        upper[i] = reading != null ? reading.baseline() : x.events() > 0 ? count[1] * x.co2() / x.events() : 0;
      }
      max = Math.max(max, Math.max(value[i], upper[i]));
    }
    double scale = max * 1.05;
    int plotWidth = WIDTH - LEFT - 20;
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s window: kg CO2 over the last %s,"
      + " every hour</text>%n", LEFT, top + 12, w.label(), w.label()));
    int base = top + 20 + PANEL;
    svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n",
      LEFT, top + 20, plotWidth, PANEL));
    // Hotspot periods (warn and above) of the entity, from the replay: shaded.
    Instant openSince = null;
    for (Replay.Change c : changes) {
      HotspotPolicy.Transition t = c.transition();
      boolean hot = t.kind() != HotspotChange.RESOLVED && t.severity() != Severity.INFO;
      if (hot && openSince == null) {
        openSince = c.at();
      } else if (!hot && openSince != null) {
        shade(svg, openSince, c.at(), from, end, top + 20, plotWidth, "#f4b6b6");
        openSince = null;
      }
    }
    if (openSince != null) {
      shade(svg, openSince, end, from, end, top + 20, plotWidth, "#f4b6b6");
    }
    // Labelled anomalies: a bar under the plot.
    for (Label l : labels) {
      if (l.entity().equals(supplier) || l.affects().stream().anyMatch(e -> e.toString().contains(supplier))) {
        if (l.end().isAfter(from) && l.start().isBefore(end)) {
          double x1 = LEFT + plotWidth * Math.max(0, Duration.between(from, l.start()).toMinutes()) / (double) (hours * 60);
          double x2 = LEFT + plotWidth * Math.min(hours * 60, Duration.between(from, l.end()).toMinutes()) / (double) (hours * 60);
          svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"6\" fill=\"#444\">"
            + "<title>%s</title></rect>%n", x1, base + 4, Math.max(2, x2 - x1), l.anomalyClass()));
        }
      }
    }
    polyline(svg, upper, scale, top + 20, plotWidth, "#d98c00", "5,3");
    polyline(svg, expected, scale, top + 20, plotWidth, "#2b7bb9", "2,2");
    polyline(svg, value, scale, top + 20, plotWidth, "#222", null);
    // Axes: days along the bottom, kg on the left.
    for (int d = 0; d <= hours / 24; d++) {
      double x = LEFT + plotWidth * d * 24.0 / hours;
      Instant day = from.plus(Duration.ofDays(d));
      svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n", x, top + 20,
        x, base));
      if (d < hours / 24) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\">%s</text>%n", x + 2, base + 22,
          day.atOffset(ZoneOffset.UTC).getDayOfWeek().toString().substring(0, 3) + " " + day.atOffset(ZoneOffset.UTC)
            .getDayOfMonth()));
      }
    }
    for (int i = 0; i <= 4; i++) {
      double v = scale * i / 4;
      double yy = base - PANEL * i / 4.0;
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">%,.0f</text>%n",
        LEFT - 4, yy + 3, v));
    }
  }

  private static void shade(StringBuilder svg, Instant a, Instant b, Instant from, Instant end, int top, int plotWidth,
                            String color) {
    double total = Duration.between(from, end).toMinutes();
    double x1 = LEFT + plotWidth * Duration.between(from, a).toMinutes() / total;
    double x2 = LEFT + plotWidth * Duration.between(from, b).toMinutes() / total;
    svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" opacity=\"0.7\"/>%n",
      x1, top, Math.max(1.5, x2 - x1), PANEL, color));
  }

  private static void polyline(StringBuilder svg, double[] values, double scale, int top, int plotWidth, String color,
                               String dash) {
    List<String> points = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      double x = LEFT + plotWidth * (i + 0.5) / values.length;
      double y = top + PANEL - PANEL * Math.min(1, values[i] / scale);
      points.add(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
    }
    svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.3\"%s points=\"%s\"/>%n",
      color, dash == null ? "" : " stroke-dasharray=\"" + dash + "\"", String.join(" ", points)));
  }

  private static void legend(StringBuilder svg, int y) {
    String[][] items = {{"#222", "kg CO2 over the window"}, {"#2b7bb9", "expected (its rhythm for that hour of the week)"},
      {"#d98c00", "upper edge of normal = the baseline"}, {"#f4b6b6", "hotspot open at warn or critical"},
      {"#444", "labelled anomaly"}};
    int x = LEFT;
    for (String[] item : items) {
      int width = 32 + item[1].length() * 7;
      if (x + width > WIDTH - 20) {
        x = LEFT;
        y += 18;
      }
      svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"10\" fill=\"%s\"/>"
        + "<text x=\"%d\" y=\"%d\">%s</text>%n", x, y, item[0], x + 18, y + 9, item[1]));
      x += width;
    }
  }

  private DetectionChart() {
  }
}
