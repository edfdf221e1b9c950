package io.carbonnexus.engine.bench.quality;

import io.carbonnexus.engine.config.ConfigKey;
import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.hotspot.Activity;
import io.carbonnexus.engine.hotspot.DetectionSettingsReader;
import io.carbonnexus.engine.hotspot.DetectionSettings;
import io.carbonnexus.engine.hotspot.Lane;
import io.carbonnexus.engine.hotspot.Replay;
import io.carbonnexus.engine.hotspot.Thresholds;
import io.carbonnexus.engine.prediction.EmissionFactorTable;
import io.carbonnexus.engine.prediction.EmissionModel;
import io.carbonnexus.engine.shared.EntityKey;
import io.carbonnexus.engine.shared.ShipmentEvent;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The detection-quality measurement without a database: the labelled data set's events predicted
 * by the built-in model, summed per entity in 5-minute buckets and replayed by the engine's own
 * pure {@link Replay}. Seconds per run instead of minutes: what tuning is done with. The
 * benchmark ({@link DetectionQualityBenchmark}) measures the same through a running engine.
 */
public final class OfflineQuality {

  static final Duration BUCKET = Duration.ofMinutes(Long.parseLong(System.getProperty("bucket", "5")));
  /** The changes of the last {@link #score} run, for the diagnostics of {@code -Dfalses}. */
  private static List<QualityScore.Change> lastChanges = List.of();
  private static final EmissionModel MODEL = EmissionModel.builtin();
  private static final EmissionFactorTable FACTORS = EmissionFactorTable.builtin();

  /** One event's contribution to its three entities. */
  record Predicted(Instant at, String supplier, String route, String vehicleType, Activity activity) {
  }

  public static List<Predicted> predict(List<LabelledDataset.Event> events) {
    List<Predicted> out = new ArrayList<>(events.size());
    long id = 1;
    for (LabelledDataset.Event e : events) {
      ShipmentEvent se = new ShipmentEvent(id++, e.occurredAt(), e.supplier(), e.route(), e.vehicleType(), e.distanceKm(),
        e.loadTonnes(), e.payloadCapacityTonnes());
      if (MODEL.predict(se) instanceof EmissionModel.Predicted p) {
        double co2 = p.prediction().co2Kg();
        double tkm = e.distanceKm() * e.loadTonnes();
        out.add(new Predicted(e.occurredAt(), e.supplier(), e.route(), e.vehicleType(),
          new Activity(co2, 1, tkm, co2 * co2, co2 * tkm, tkm * tkm, FACTORS.flies(e.vehicleType()) ? 1 : 0)));
      }
    }
    return out;
  }

  public static Map<EntityKey, Replay.Timeline> timelines(List<Predicted> events, Instant origin, Instant end) {
    // As the engine's entity rollups, without flights (only lanes count them).
    return timelines(events, origin, end, p -> List.of(new EntityKey("supplier", p.supplier()),
      new EntityKey("route", p.route()), new EntityKey("vehicle_type", p.vehicleType())), a -> a.minus(
        new Activity(0, 0, 0, 0, 0, 0, a.air())));
  }

  /** Each supplier on each route, as the engine's lane rollups keep them. */
  public static Map<Lane, Replay.Timeline> laneTimelines(List<Predicted> events, Instant origin, Instant end) {
    return timelines(events, origin, end, p -> List.of(new Lane(p.supplier(), p.route())), a -> a);
  }

  private static <K> Map<K, Replay.Timeline> timelines(List<Predicted> events, Instant origin, Instant end,
                                                       Function<Predicted, List<K>> keys,
                                                       java.util.function.UnaryOperator<Activity> kept) {
    int n = (int) (Duration.between(origin, end).toMillis() / BUCKET.toMillis()) + 1;
    Map<K, Activity[]> buckets = new HashMap<>();
    for (Predicted p : events) {
      int i = (int) (Duration.between(origin, p.at()).toMillis() / BUCKET.toMillis());
      if (i < 0 || i >= n) {
        continue;
      }
      for (K k : keys.apply(p)) {
        Activity[] b = buckets.computeIfAbsent(k, x -> new Activity[n]);
        Activity a = kept.apply(p.activity());
        b[i] = b[i] == null ? a : b[i].plus(a);
      }
    }
    Map<K, Replay.Timeline> out = new HashMap<>();
    buckets.forEach((k, b) -> out.put(k, new Replay.Timeline(origin, BUCKET, b)));
    return out;
  }

  public static QualityScore.Result score(List<Predicted> events, List<Label> labels, Instant from, Instant to,
                                          Duration step, DetectionSettings settings) {
    // As the engine: the replay starts one longest window early and reports from `from` (-Dwarm=0: from no hotspot at it).
    Duration warmUp = "0".equals(System.getProperty("warm")) ? Duration.ZERO : settings.longestWindow();
    Instant origin = Replay.origin(from, step, warmUp, settings);
    Map<EntityKey, Replay.Timeline> timelines = timelines(events, origin, to);
    Map<Lane, Replay.Timeline> lanes = System.getProperty("lanes", "1").equals("0") ? Map.of()
      : laneTimelines(events, origin, to);
    List<Replay.Change> changes = Replay.run(timelines, lanes, from, to, step, warmUp, settings, Thresholds.defaults(),
      Map.of());
    List<QualityScore.Change> scored = new ArrayList<>();
    for (Replay.Change c : changes) {
      scored.add(new QualityScore.Change(c.at(), c.entity().type().wire(), c.entity().entity(), c.transition().kind().wire(),
        c.transition().severity().wire(), c.transition().reading().window(),
        c.transition().reading().measure().wire()));
    }
    lastChanges = scored;
    String watched = System.getProperty("changes");
    if (watched != null) {
      scored.stream().filter(c -> (c.entityType() + ":" + c.entity()).equals(watched))
        .forEach(c -> System.out.println("   change: " + c));
    }
    Set<Label.Entity> entities = new HashSet<>();
    for (Predicted p : events) {
      if (!p.at().isBefore(from) && p.at().isBefore(to)) {
        entities.add(Label.Entity.supplier(p.supplier()));
        entities.add(Label.Entity.route(p.route()));
        entities.add(Label.Entity.vehicleType(p.vehicleType()));
      }
    }
    return QualityScore.score(labels, from, to, scored, entities, QualityScore.Options.defaults());
  }

  public static void print(String title, QualityScore.Result r) {
    for (QualityScore.ClassScore c : r.classes().values()) {
      System.out.printf(Locale.ROOT, "%-24s %-18s %3d labels  %3d found  recall %5.1f %%  median %8s  worst %8s  %s%n",
        title, c.anomalyClass(), c.labels(), c.found(), 100 * c.recall(), QualityScore.human(c.medianDelay()),
        QualityScore.human(c.worstDelay()), c.targetMet() ? "ok" : "MISSED");
    }
    System.out.printf(Locale.ROOT, "%-24s false warn+ per entity per 30 days: %.2f (%d alarms, %d entities) %s%n", title,
      r.falsePerEntityPer30Days(), r.falseAlarms().size(), r.entities(), r.falseTargetMet() ? "ok" : "MISSED");
  }

  /**
   * All seeds' labels as one set: per class, recall, median and worst delay over every label
   * found; false alarms over every entity and day scored.
   */
  static void pooled(String title, List<QualityScore.Result> results) {
    System.out.println("== pooled: " + title);
    for (String cls : QualityScore.CLASSES) {
      List<QualityScore.LabelResult> all = new ArrayList<>();
      results.forEach(r -> all.addAll(r.classes().get(cls).results()));
      QualityScore.ClassScore c = new QualityScore.ClassScore(cls, all);
      String within = cls.equals(Label.AIR_SHIFT)
        ? String.format(Locale.ROOT, "  within 8 h %5.1f %%", 100 * c.recallWithin(Duration.ofHours(8)))
        : cls.equals(Label.BURST) ? "" : String.format(Locale.ROOT, "  within 24 h %5.1f %%",
        100 * c.recallWithin(Duration.ofHours(24)));
      System.out.printf(Locale.ROOT, "%-18s %4d labels %4d found  recall %5.1f %%  median %8s  worst %8s%s  %s%n", cls,
        c.labels(), c.found(), 100 * c.recall(), QualityScore.human(c.medianDelay()), QualityScore.human(c.worstDelay()),
        within, c.targetMet() ? "target met" : "target missed");
      if (!cls.equals(Label.BURST)) {
        Duration limit = Duration.ofHours(cls.equals(Label.AIR_SHIFT) ? 8 : 24);
        System.out.printf(Locale.ROOT, "%-18s counted from the first changed shipment: median %8s  worst %8s  within %d h %5.1f %%%n",
          "", QualityScore.human(c.medianDelayFromFirstChange()), QualityScore.human(c.worstDelayFromFirstChange()),
          limit.toHours(), 100 * c.recallWithinOfFirstChange(limit));
      }
    }
    int falses = results.stream().mapToInt(r -> r.falseAlarms().size()).sum();
    double entityMonths = results.stream().mapToDouble(r -> r.entities() * r.scoredDays() / 30.0).sum();
    System.out.printf(Locale.ROOT, "false warn+ alarms: %d over %.1f entity-months = %.2f per entity per 30 days (target ≤ 0.5)%n",
      falses, entityMonths, falses / entityMonths);
  }

  /** Args: {@code seasonal|legacy} [windows, empty for the default] [seeds...]. */
  public static void main(String[] args) {
    String algorithm = args.length > 0 ? args[0] : "seasonal";
    String windows = args.length > 1 && !args[1].isBlank() ? args[1] : ConfigKeys.DETECTION_WINDOWS.defaultValue();
    List<Long> seeds = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      seeds.add(Long.parseLong(args[i]));
    }
    if (seeds.isEmpty()) {
      seeds.add(1L);
    }
    DetectionSettings settings = settings(algorithm, windows);
    Duration step = Duration.ofMinutes(Long.parseLong(System.getProperty("step", "5")));
    Instant end = Instant.parse(System.getProperty("end", "2026-11-30T07:00:00Z"));
    if (System.getProperty("demo") != null) {
      long t0 = System.nanoTime();
      DetectionQualityBenchmark.DemoData demo = DetectionQualityBenchmark.demoData(
        io.carbonnexus.engine.demo.DemoEventGenerator.Settings.defaults(), end, 9);
      List<Predicted> events = predict(demo.events());
      QualityScore.Result r = score(events, demo.labels(), end.minus(Duration.ofDays(14)), end, step,
        settings);
      print(algorithm + " demo", r);
      r.falseAlarms().forEach(c -> System.out.println("   false: " + c));
      if (System.getProperty("falses") != null) {
        printMisses(r);
      }
      System.out.printf(Locale.ROOT, "   (%.1f s, %d events)%n", (System.nanoTime() - t0) / 1e9, events.size());
      return;
    }
    List<QualityScore.Result> results = new ArrayList<>();
    for (long seed : seeds) {
      long t0 = System.nanoTime();
      LabelledDataset data = LabelledDataset.generate(LabelledDataset.Settings.defaults(seed, end)
        .withWeekdayContrast(Double.parseDouble(System.getProperty("week", "1")))
        .withWeeklyGrowth(Double.parseDouble(System.getProperty("growth", "0")))
        .withHourNoise(Double.parseDouble(System.getProperty("hourNoise", "0")))
        .withDays(Integer.parseInt(System.getProperty("days", "42")))
        .withVolumeScale(Double.parseDouble(System.getProperty("volume", "1"))));
      List<Predicted> events = predict(data.events());
      QualityScore.Result r = score(events, data.labels(), data.settings().scoredFrom(), end, step,
        settings);
      print(algorithm + " seed " + seed, r);
      results.add(r);
      if (System.getProperty("labels") != null) {
        data.labels().forEach(l -> System.out.println("   label: " + l));
      }
      if (System.getProperty("falses") != null) {
        r.falseAlarms().forEach(c -> System.out.println("   false: " + c));
        printMisses(r);
        r.classes().values().forEach(c -> c.results().stream().filter(x -> x.found() && !c.anomalyClass().equals("burst"))
          .forEach(x -> System.out.println("   found " + c.anomalyClass() + " " + x.label().entity() + " start "
            + x.label().start() + " delay " + QualityScore.human(x.delay()) + " by " + x.alarm())));
      }
      System.out.printf(Locale.ROOT, "   (%.1f s, %d events)%n", (System.nanoTime() - t0) / 1e9, events.size());
      if (System.getProperty("oracle") != null) {
        oracle(events, data.labels(), data.settings().scoredFrom(), settings);
      }
      if (System.getProperty("trace") != null) {
        String[] e = System.getProperty("trace").split(":", 2);
        trace(events, new EntityKey(e[0], e[1]), Instant.parse(System.getProperty("from")),
          Instant.parse(System.getProperty("to")), settings);
      }
    }
    if (results.size() > 1) {
      pooled(algorithm + " seeds " + seeds.get(0) + ".." + seeds.get(seeds.size() - 1), results);
    }
  }

  private static void printMisses(QualityScore.Result r) {
    r.classes().values().forEach(c -> c.results().stream().filter(x -> !x.found())
      .forEach(x -> System.out.println("   missed: " + x.label() + stateAt(x.label()))));
  }

  /** The level the label's entity was already at when the label began (an open hotspot hides a new cause). */
  private static String stateAt(Label label) {
    QualityScore.Change last = null;
    for (QualityScore.Change c : lastChanges) {
      if (c.entityType().equals(label.entityType()) && c.entity().equals(label.entity()) && c.at().isBefore(label.start())) {
        last = c;
      }
    }
    return last == null || "resolved".equals(last.change()) ? "" : " ALREADY OPEN " + last.severity() + " since " + last.at()
      + " (" + last.window() + " " + last.kind() + ")";
  }

  /** For each scored burst: the best count z over the 1h windows ending within 60 min of its start. */
  static void oracle(List<Predicted> events, List<Label> labels, Instant from, DetectionSettings settings) {
    Instant origin = Replay.origin(from, BUCKET, Duration.ZERO, settings);
    Map<EntityKey, Replay.Timeline> all = timelines(events, origin, from.plus(Duration.ofDays(15)));
    for (Label l : labels) {
      if (!l.anomalyClass().equals(Label.BURST) || l.start().isBefore(from)) {
        continue;
      }
      Replay.Timeline t = all.get(new EntityKey(l.entityType(), l.entity()));
      double best = -1;
      double bestN = 0;
      double bestE = 0;
      for (Instant at = l.start().plus(Duration.ofMinutes(5)); !at.isAfter(l.start().plus(Duration.ofMinutes(60)));
           at = at.plus(Duration.ofMinutes(5))) {
        Instant at5 = Instant.ofEpochSecond(Math.floorDiv(at.getEpochSecond(), 300) * 300);
        Instant hour = Instant.ofEpochSecond(Math.floorDiv(at5.getEpochSecond(), 3600) * 3600);
        var m = io.carbonnexus.engine.hotspot.EntityModel.learn(hour, t.hours(), settings);
        if (m == null || m.seasonal() == null) {
          continue;
        }
        Activity a = t.between(at5.minus(Duration.ofHours(1)), at5);
        var x = m.seasonal().expected(at5.minus(Duration.ofHours(1)), at5);
        double z = (a.events() - x.events()) / Math.sqrt(Math.max(0.05, x.events()));
        if (z > best) {
          best = z;
          bestN = a.events();
          bestE = x.events();
        }
      }
      System.out.printf(Locale.ROOT, "   oracle z %5.1f  n %3.0f E %5.1f  %s%n", best, bestN, bestE, l.note());
    }
  }

  /** Every 15 minutes: what each reading of the entity says. */
  static void trace(List<Predicted> events, EntityKey key, Instant from, Instant to, DetectionSettings settings) {
    Instant origin = Replay.origin(from, BUCKET, Duration.ZERO, settings);
    Replay.Timeline t = timelines(events, origin, to).get(key);
    for (Instant at = from; at.isBefore(to); at = at.plus(Duration.ofMinutes(15))) {
      Instant hour = Instant.ofEpochSecond(Math.floorDiv(at.getEpochSecond(), 3600) * 3600);
      System.setProperty("nexus.debug.model", String.valueOf(at.equals(from)));
      io.carbonnexus.engine.hotspot.EntityModel m = io.carbonnexus.engine.hotspot.EntityModel.learn(hour, t.hours(), settings);
      StringBuilder line = new StringBuilder(at.toString());
      for (io.carbonnexus.engine.hotspot.WindowSpec w : settings.windows()) {
        Instant start = at.minus(w.length());
        Activity a = t.between(start, at);
        if (m != null && m.seasonal() != null) {
          var x = m.seasonal().expected(start, at);
          double[] n = m.seasonal().countBand(x, w.k());
          double[] c = m.seasonal().co2Band(x, w.k());
          line.append(String.format(Locale.ROOT, " | %s n %.0f E %.1f U %.1f  co2 %.0f E %.0f U %.0f", w.label(), a.events(),
            n[0], n[1], a.co2(), c[0], c[1]));
        }
      }
      if (m != null && m.seasonal() != null) {
        line.append(String.format(Locale.ROOT, " | cN %.3f cC %.3f cH %.3f phi %.1f", m.seasonal().countDispersion(),
          m.seasonal().co2Dispersion(), m.seasonal().hourDispersion(), m.seasonal().phi()));
      }
      if (System.getProperty("readings") != null) {
        Map<Duration, io.carbonnexus.engine.hotspot.Evaluator.Observation> obs = new HashMap<>();
        for (Duration length : settings.observedLengths()) {
          obs.put(length, new io.carbonnexus.engine.hotspot.Evaluator.Observation(length, at.minus(length), at,
            t.between(at.minus(length), at)));
        }
        line.setLength(0);
        line.append(at);
        for (io.carbonnexus.engine.hotspot.Reading r : io.carbonnexus.engine.hotspot.Evaluator.readings(key, m, obs, Map.of(),
          settings)) {
          line.append(String.format(Locale.ROOT, " | %s %s %.3g/%.3g=%.2f", r.window(), r.measure().wire(), r.predicted(),
            r.baseline(), r.ratio()));
        }
        line.append(String.format(Locale.ROOT, " | n24 %.0f", obs.get(Duration.ofHours(24)).activity().events()));
      }
      System.out.println(line);
    }
  }

  /**
   * The engine's defaults with this algorithm and these windows; for tuning, the system properties
   * {@code iw}, {@code ik} and {@code imin} override the intensity window, k and minimum shipments.
   */
  static DetectionSettings settings(String algorithm, String windows) {
    JsonObject conf = new JsonObject();
    ConfigKeys.DETECTION_ALGORITHM.put(conf, algorithm);
    ConfigKeys.DETECTION_WINDOWS.put(conf, windows);
    override(conf, ConfigKeys.DETECTION_INTENSITY_WINDOW, "iw");
    override(conf, ConfigKeys.DETECTION_INTENSITY_K, "ik");
    override(conf, ConfigKeys.DETECTION_MIN_SHIPMENTS, "imin");
    return DetectionSettingsReader.read(conf);
  }

  private static void override(JsonObject conf, ConfigKey<?> key, String property) {
    String value = System.getProperty(property);
    if (value != null) {
      key.put(conf, value);
    }
  }

}
