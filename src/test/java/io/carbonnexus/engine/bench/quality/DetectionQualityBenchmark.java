package io.carbonnexus.engine.bench.quality;

import io.carbonnexus.engine.Engine;
import io.carbonnexus.engine.bench.BenchSupport;
import io.carbonnexus.engine.bench.quality.Label.Entity;
import io.carbonnexus.engine.bench.quality.LabelledDataset.Event;
import io.carbonnexus.engine.bench.quality.QualityScore.Change;
import io.carbonnexus.engine.bench.quality.QualityScore.ClassScore;
import io.carbonnexus.engine.bench.quality.QualityScore.LabelResult;
import io.carbonnexus.engine.bench.quality.QualityScore.Options;
import io.carbonnexus.engine.bench.quality.QualityScore.Result;
import io.carbonnexus.engine.config.ConfigKey;
import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.demo.DemoEvent;
import io.carbonnexus.engine.demo.DemoEventGenerator;
import io.carbonnexus.engine.support.FreshDatabase;
import io.carbonnexus.engine.support.TempDirs;
import io.carbonnexus.engine.support.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * How well detection finds labelled anomalies, per configuration of the engine, in one run. Run with
 * {@code benchmarks/detection-quality}.
 *
 * <ol>
 *   <li>A {@link LabelledDataset} (six weeks, ten suppliers, labelled anomalies) is inserted into
 *   {@code events_normalized} of a fresh database and predicted by an engine (prediction and
 *   ingestion only).</li>
 *   <li>For each {@link #configurations() configuration}, a fresh engine starts on that database
 *   with those overrides, computes its baselines, and replays the last two weeks through
 *   {@code POST /detection/batch}; {@link QualityScore} scores the changes against the labels.</li>
 *   <li>The same on the demo generator's own data, its surges being the labels.</li>
 * </ol>
 * Results: a table on standard output and {@code target/detection-quality.json}.
 *
 * <p>Arguments: {@code --seed N} (1), {@code --step 5m}, {@code --max-steps 30000} (steps per
 * request; a longer range is split into requests), {@code --end 2026-03-16T09:00:00Z} (default: the
 * current hour), {@code --demo-weeks 9} (0: skip the demo part; the replayed two weeks need four before them, the
 * 30-day speed measurement nine weeks in all), {@code --configs a,b} (a subset),
 * {@code --longest-window 24h}, {@code --out target/detection-quality.json}.
 */
public final class DetectionQualityBenchmark {

  /**
   * The configurations compared, by name: overrides of {@code conf/config.yaml}, each run on an
   * engine of its own. Adding an algorithm is one line here.
   */
  static LinkedHashMap<String, JsonObject> configurations() {
    LinkedHashMap<String, JsonObject> configurations = new LinkedHashMap<>();
    configurations.put("legacy", legacy());
    configurations.put("seasonal", seasonal());
    return configurations;
  }

  /** The engine's default judgement: seasonal normals per window (detection.windows), intensity, as shipped. */
  static JsonObject seasonal() {
    JsonObject c = new JsonObject();
    ConfigKeys.DETECTION_ALGORITHM.put(c, "seasonal");
    return c;
  }

  /** The algorithm before, pinned so that changed defaults do not change it: one 24 h window, median + 3 MAD of 28 windows. */
  static JsonObject legacy() {
    JsonObject c = new JsonObject();
    ConfigKeys.DETECTION_ALGORITHM.put(c, "legacy");
    ConfigKeys.DETECTION_WINDOW.put(c, "24h");
    ConfigKeys.BASELINES_STATISTIC.put(c, "median+3mad");
    ConfigKeys.BASELINES_HISTORY_WINDOWS.put(c, 28);
    ConfigKeys.BASELINES_MIN_WINDOWS.put(c, 7);
    ConfigKeys.THRESHOLDS_INFO.put(c, 0.8);
    ConfigKeys.THRESHOLDS_WARN.put(c, 1.0);
    ConfigKeys.THRESHOLDS_CRITICAL.put(c, 1.5);
    ConfigKeys.THRESHOLDS_HYSTERESIS.put(c, 0.05);
    return c;
  }

  /** What every engine of the run needs whatever the configuration (a configuration may override it). */
  private static JsonObject base(String url, int port, String token) {
    JsonObject c = new JsonObject();
    ConfigKeys.DB_URL.put(c, url);
    ConfigKeys.HTTP_PORT.put(c, port);
    ConfigKeys.API_TOKEN.put(c, token);
    ConfigKeys.DEMO.put(c, "false");
    // No alerting or recommendations: a replay stores nothing, and the live hotspots of the data set are noise here.
    ConfigKeys.NODE_VERTICLES.put(c, "prediction,ingestion,baselines,detection,queries,http");
    ConfigKeys.DETECTION_INTERVAL.put(c, "1h");
    ConfigKeys.INGESTION_POLL_INTERVAL.put(c, "1s");
    // The file is not edited during a run; a scan racing the engine's close only logs an error.
    ConfigKeys.CONFIG_SCAN_PERIOD.put(c, "1h");
    return c;
  }

  /** Weekday volume below which a supplier counts as small in the burst breakdown. */
  private static final double SMALL_SUPPLIER = 100;

  private record Args(long seed, Duration step, int maxSteps, Instant end, int demoWeeks, List<String> configs,
                      Duration longestWindow, Path out) {

    static Args parse(String[] args) {
      Map<String, String> a = new HashMap<>();
      for (int i = 0; i + 1 < args.length; i += 2) {
        if (!args[i].startsWith("--")) {
          throw new IllegalArgumentException("expected --name value, got " + args[i]);
        }
        a.put(args[i].substring(2), args[i + 1]);
      }
      if (args.length % 2 == 1) {
        throw new IllegalArgumentException("missing the value of " + args[args.length - 1]);
      }
      Instant end = a.containsKey("end") ? Instant.parse(a.get("end")) : Instant.now().truncatedTo(ChronoUnit.HOURS);
      return new Args(Long.parseLong(a.getOrDefault("seed", "1")),
        ConfigKey.parseDurationText(a.getOrDefault("step", "5m")),
        Integer.parseInt(a.getOrDefault("max-steps", "30000")), end,
        Integer.parseInt(a.getOrDefault("demo-weeks", "9")),
        a.containsKey("configs") ? List.of(a.get("configs").split(",")) : null,
        ConfigKey.parseDurationText(a.getOrDefault("longest-window", "24h")),
        Path.of(a.getOrDefault("out", "target/detection-quality.json")));
    }
  }

  private static final long T0 = System.nanoTime();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(5)).build();

  public static void main(String[] argv) throws Exception {
    Args args = Args.parse(argv);
    LinkedHashMap<String, JsonObject> configurations = configurations();
    if (args.configs() != null) {
      configurations.keySet().retainAll(args.configs());
      if (configurations.isEmpty()) {
        throw new IllegalArgumentException("no configuration named " + args.configs() + "; known: " + configurations().keySet());
      }
    }
    Options options = new Options(args.longestWindow(), Duration.ofMinutes(60));
    JsonObject out = new JsonObject().put("run", new JsonObject().put("seed", args.seed())
      .put("step", ConfigKey.formatDuration(args.step())).put("max_steps_per_request", args.maxSteps())
      .put("end", args.end().toString()).put("longest_window", ConfigKey.formatDuration(args.longestWindow()))
      .put("started_at", Instant.now().toString()));
    JsonObject configsJson = new JsonObject();
    configurations.forEach(configsJson::put);
    out.put("configurations", configsJson);

    // --- The labelled data set -----------------------------------------------------------------
    long g0 = System.nanoTime();
    LabelledDataset data = LabelledDataset.generate(LabelledDataset.Settings.defaults(args.seed(), args.end()));
    LabelledDataset.Settings s = data.settings();
    progress("generated %,d events and %d labels in %.2f s (%s to %s, scored from %s)", data.events().size(),
      data.labels().size(), (System.nanoTime() - g0) / 1e9, s.start(), s.end(), s.scoredFrom());
    describe(data);
    String url = FreshDatabase.create().url();
    insert(url, data.events());
    predict(url, data.events().size());
    Set<Entity> entities = entities(data.events(), s.scoredFrom(), s.end());
    progress("%d entities in the scored weeks: %s", entities.size(), countByType(entities));

    Map<String, Result> results = new LinkedHashMap<>();
    JsonObject resultsJson = new JsonObject();
    for (Map.Entry<String, JsonObject> config : configurations.entrySet()) {
      List<Change> changes = replay(url, config.getKey(), config.getValue(), s.scoredFrom(), s.end(), args);
      Result r = QualityScore.score(data.labels(), s.scoredFrom(), s.end(), changes, entities, options);
      results.put(config.getKey(), r);
      resultsJson.put(config.getKey(), r.toJson().put("changes", changes.size()));
    }
    JsonArray labelsJson = new JsonArray();
    data.labels().forEach(l -> labelsJson.add(l.toJson()));
    out.put("dataset", new JsonObject().put("seed", s.seed()).put("start", s.start().toString())
      .put("scored_from", s.scoredFrom().toString()).put("end", s.end().toString())
      .put("events", data.events().size()).put("entities", entities.size()).put("labels", labelsJson));
    out.put("results", resultsJson);
    System.out.println();
    System.out.println("== Labelled data set (seed " + s.seed() + "), replay of " + s.scoredFrom() + " .. " + s.end()
      + ", step " + ConfigKey.formatDuration(args.step()));
    printTable(results, true);

    // --- The demo generator's own surges -------------------------------------------------------
    if (args.demoWeeks() > 0) {
      out.put("demo", demo(args, configurations, options));
    }
    out.getJsonObject("run").put("seconds", Math.round((System.nanoTime() - T0) / 1e8) / 10.0);
    Files.createDirectories(args.out().toAbsolutePath().getParent());
    Files.writeString(args.out(), out.encodePrettily());
    progress("results written to %s; the whole run took %.0f s", args.out(), (System.nanoTime() - T0) / 1e9);
    System.exit(0);
  }

  // ---------------------------------------------------------------------------------------------

  /** The demo generator's events over {@code weeks} weeks before {@code end}, and its surges as labels. */
  record DemoData(List<Event> events, List<Label> labels) {
  }

  static DemoData demoData(DemoEventGenerator.Settings settings, Instant end, int weeks) {
    DemoEventGenerator generator = new DemoEventGenerator(settings);
    Instant start = end.minus(Duration.ofDays(7L * weeks));
    List<Event> events = new ArrayList<>();
    for (DemoEvent e : generator.generate(start, end)) {
      events.add(new Event(e.occurredAt(), e.supplier(), e.route(), e.vehicleType(), e.distanceKm(), e.loadTonnes(),
        e.payloadCapacityTonnes(), e.shipmentId()));
    }
    // What each supplier runs, on which lane: what a surge touches.
    Map<String, Set<Entity>> bySupplier = new HashMap<>();
    Map<String, Set<Entity>> bySupplierLane = new HashMap<>();
    for (Event e : events) {
      Set<Entity> all = bySupplier.computeIfAbsent(e.supplier(), k -> new HashSet<>());
      all.add(Entity.supplier(e.supplier()));
      all.add(Entity.route(e.route()));
      all.add(Entity.vehicleType(e.vehicleType()));
      Set<Entity> lane = bySupplierLane.computeIfAbsent(e.supplier() + "\u0000" + e.route(), k -> new HashSet<>());
      lane.add(Entity.supplier(e.supplier()));
      lane.add(Entity.route(e.route()));
      lane.add(Entity.vehicleType(e.vehicleType()));
    }
    List<Label> labels = new ArrayList<>();
    for (DemoEventGenerator.Surge surge : generator.surgesBetween(start, end)) {
      boolean lane = surge.route() != null;
      Set<Entity> affects = lane ? bySupplierLane.getOrDefault(surge.supplier() + "\u0000" + surge.route(), Set.of())
        : bySupplier.getOrDefault(surge.supplier(), Set.of());
      labels.add(new Label(Label.BURST, lane ? "route" : "supplier", lane ? surge.route() : surge.supplier(),
        surge.start(), surge.end(), surge.rateMultiplier(), affects, 0,
        "demo surge of " + surge.supplier() + (lane ? " on " + surge.route() : ""), null));
    }
    return new DemoData(events, labels);
  }

  private static JsonObject demo(Args args, LinkedHashMap<String, JsonObject> configurations, Options options) throws Exception {
    DemoEventGenerator.Settings settings = DemoEventGenerator.Settings.defaults();
    Instant end = args.end();
    Instant scoredFrom = end.minus(Duration.ofDays(14));
    DemoData demo = demoData(settings, end, args.demoWeeks());
    List<Event> events = demo.events();
    List<Label> labels = demo.labels();
    progress("demo: %,d events over %d weeks (%s), %d surges of which %d in the scored weeks", events.size(),
      args.demoWeeks(), settings, labels.size(), labels.stream().filter(l -> !l.start().isBefore(scoredFrom)).count());
    String url = FreshDatabase.create().url();
    insert(url, events);
    predict(url, events.size());
    Set<Entity> entities = entities(events, scoredFrom, end);
    Map<String, Result> results = new LinkedHashMap<>();
    JsonObject resultsJson = new JsonObject();
    for (Map.Entry<String, JsonObject> config : configurations.entrySet()) {
      List<Change> changes = replay(url, config.getKey(), config.getValue(), scoredFrom, end, args);
      Result r = QualityScore.score(labels, scoredFrom, end, changes, entities, options);
      results.put(config.getKey(), r);
      resultsJson.put(config.getKey(), r.toJson().put("changes", changes.size()));
    }
    JsonObject timing = timeThirtyDays(url, configurations.get("seasonal"), end, args);
    System.out.println();
    System.out.println("== Demo generator (" + args.demoWeeks() + " weeks, seed " + settings.seed() + ", surges ×"
      + settings.surgeMultiplier() + " for " + ConfigKey.formatDuration(settings.surgeDuration()) + "), replay of "
      + scoredFrom + " .. " + end);
    printTable(results, false);
    if (timing != null) {
      System.out.printf(Locale.ROOT, "Replay speed: %s of demo data (%,d entities) at a 15m step in %.1f s (%d steps; "
        + "target: 30 days within 60 s)%n", timing.getString("range"), timing.getInteger("entities"),
        timing.getDouble("seconds"), timing.getLong("evaluations"));
    }
    return new JsonObject().put("weeks", args.demoWeeks()).put("events", events.size()).put("entities", entities.size())
      .put("scored_from", scoredFrom.toString()).put("end", end.toString()).put("results", resultsJson)
      .put("replay_speed", timing);
  }

  /**
   * How long one {@code POST /detection/batch} of 30 days at a 15m step takes on the demo data (the
   * history before it is read as well): the speed target, measured on the default algorithm.
   * Null when the data does not reach back far enough (demo weeks < 9).
   */
  private static JsonObject timeThirtyDays(String url, JsonObject config, Instant end, Args args) throws Exception {
    if (config == null || args.demoWeeks() * 7 < 30 + 29) {
      progress("replay speed: skipped (needs --demo-weeks 9 and the seasonal configuration)");
      return null;
    }
    int port = TempDirs.freePort();
    String token = UUID.randomUUID().toString();
    try (Engine engine = startEngine(base(url, port, token).mergeIn(config.copy(), true))) {
      Instant from = end.minus(Duration.ofDays(30));
      JsonObject body = new JsonObject().put("from", from.toString()).put("to", end.toString()).put("step", "15m");
      long t0 = System.nanoTime();
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/detection/batch"))
        .timeout(Duration.ofMinutes(10)).header("content-type", "application/json").header("authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (response.statusCode() != 200) {
        throw new IllegalStateException("POST /detection/batch " + body.encode() + ": " + response.statusCode() + " "
          + response.body());
      }
      JsonObject answer = new JsonObject(response.body());
      long entities = TestDatabase.queryLong(url, "select count(distinct (entity_type, entity)) from entity_minute_totals");
      progress("replay speed: 30 days at 15m in %.1f s", seconds);
      return new JsonObject().put("range", "30 days").put("seconds", Math.round(seconds * 10) / 10.0)
        .put("evaluations", answer.getLong("evaluations")).put("changes", answer.getJsonArray("changes").size())
        .put("entities", (int) entities);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static void printTable(Map<String, Result> results, boolean allClasses) {
    System.out.printf(Locale.ROOT, "%-34s %-10s %6s %5s %5s %7s %10s %10s  %-40s %s%n", "class", "config", "labels",
      "found", "late", "recall", "median", "worst", "target", "met");
    List<String> classes = allClasses ? QualityScore.CLASSES : List.of(Label.BURST);
    for (String cls : classes) {
      results.forEach((name, r) -> row(cls, name, r.classes().get(cls), true));
      if (cls.equals(Label.BURST)) {
        breakdown("  at night (22:00-05:00 UTC)", results, l -> {
          int h = l.start().atZone(ZoneOffset.UTC).getHour();
          return h >= 22 || h < 5;
        });
        breakdown("  at a weekend", results, l -> l.start().atZone(ZoneOffset.UTC).getDayOfWeek().getValue() >= 6);
        breakdown("  on one lane (scored on its route)", results, l -> l.entityType().equals("route"));
        if (allClasses) {
          breakdown("  supplier < " + (int) SMALL_SUPPLIER + " shipments/weekday", results, l -> l.affects().stream()
            .anyMatch(e -> e.type().equals("supplier") && LabelledDataset.weekdayVolume(e.name()) < SMALL_SUPPLIER));
          breakdown("  adding fewer than 10 shipments", results, l -> l.changedEvents() < 10);
        }
      }
    }
    results.forEach((name, r) -> System.out.printf(Locale.ROOT,
      "%-34s %-10s %,d false of %,d warn+ alarms on %d entities over %.0f days = %.2f per entity per 30 days (target ≤ %.1f): %s%n",
      "false warn+ alarms", name, r.falseAlarms().size(), r.alarms(), r.entities(), r.scoredDays(),
      r.falsePerEntityPer30Days(), QualityScore.MAX_FALSE_PER_ENTITY_PER_30_DAYS, r.falseTargetMet() ? "yes" : "no"));
    if (allClasses) {
      results.forEach((name, r) -> System.out.printf(Locale.ROOT, "%-34s %-10s %d warn+ alarms during %d holiday(s) (target 0): %s%n",
        "holiday", name, r.holidayAlarms().size(), r.holidays().size(), r.holidayAlarms().isEmpty() ? "yes" : "no"));
    }
  }

  private static void breakdown(String title, Map<String, Result> results, Predicate<Label> which) {
    results.forEach((name, r) -> {
      List<LabelResult> subset = r.classes().get(Label.BURST).results().stream().filter(x -> which.test(x.label())).toList();
      row(title, name, new ClassScore(Label.BURST, subset), false);
    });
  }

  private static void row(String title, String config, ClassScore c, boolean withTarget) {
    System.out.printf(Locale.ROOT, "%-34s %-10s %6d %5d %5d %6s %10s %10s  %-40s %s%n", title, config, c.labels(),
      c.found(), c.late(), c.labels() == 0 ? "-" : String.format(Locale.ROOT, "%.0f %%", 100 * c.recall()),
      QualityScore.human(c.medianDelay()), QualityScore.human(c.worstDelay()),
      withTarget ? QualityScore.target(c.anomalyClass()) : "", withTarget ? (c.targetMet() ? "yes" : "no") : "");
  }

  private static void describe(LabelledDataset data) {
    Instant scored = data.settings().scoredFrom();
    Map<String, int[]> perClass = new LinkedHashMap<>();
    for (Label l : data.labels()) {
      perClass.computeIfAbsent(l.anomalyClass(), k -> new int[2])[l.start().isBefore(scored) ? 0 : 1]++;
    }
    StringBuilder b = new StringBuilder();
    perClass.forEach((k, v) -> b.append(String.format(Locale.ROOT, "%s %d (+%d in history), ", k, v[1], v[0])));
    progress("labels in the scored weeks: %s", b.substring(0, Math.max(0, b.length() - 2)));
    for (Label l : data.labels()) {
      if (!l.start().isBefore(scored)) {
        System.out.printf(Locale.ROOT, "    %-16s %-8s %-26s %s +%s  x%.2f  %.0f shipments changed  %s%n", l.anomalyClass(),
          l.entityType(), l.entity(), l.start(), QualityScore.human(Duration.between(l.start(), l.end())), l.magnitude(),
          l.changedEvents(), l.note());
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** Inserted as the other benchmarks insert (BenchSupport): a few seconds for hundreds of thousands of rows. */
  private static void insert(String url, List<Event> events) throws Exception {
    long t0 = System.nanoTime();
    List<DemoEvent> rows = new ArrayList<>(events.size());
    for (Event e : events) {
      rows.add(new DemoEvent(e.occurredAt(), e.supplier(), e.route(), e.vehicleType(), e.distanceKm(), e.loadTonnes(),
        e.payloadCapacityTonnes(), null, null, e.shipmentId()));
    }
    BenchSupport.insert(url, rows, 20_000);
    progress("inserted %,d events in %.1f s", events.size(), (System.nanoTime() - t0) / 1e9);
  }

  /** An engine with prediction and ingestion only, until every event has a prediction (or a recorded error). */
  private static void predict(String url, long events) throws Exception {
    long t0 = System.nanoTime();
    JsonObject overrides = base(url, TempDirs.freePort(), UUID.randomUUID().toString());
    ConfigKeys.NODE_VERTICLES.put(overrides, "prediction,ingestion");
    try (Engine engine = startEngine(overrides)) {
      long done = 0;
      long lastPrint = System.nanoTime();
      while (done < events) {
        Thread.sleep(250);
        done = TestDatabase.queryLong(url,
          "select (select count(*) from predictions) + (select count(*) from prediction_errors)");
        if (System.nanoTime() - lastPrint > 5e9) {
          progress("  predicted %,d of %,d events", done, events);
          lastPrint = System.nanoTime();
        }
        if (System.nanoTime() - t0 > Duration.ofMinutes(15).toNanos()) {
          throw new IllegalStateException("predictions stuck at " + done + " of " + events);
        }
      }
    }
    long errors = TestDatabase.queryLong(url, "select count(*) from prediction_errors");
    progress("predicted %,d events in %.1f s (%d rejected)", events, (System.nanoTime() - t0) / 1e9, errors);
    if (errors > 0) {
      throw new IllegalStateException(errors + " events could not be predicted: the data set must only hold valid rows; "
        + TestDatabase.queryString(url, "select reason from prediction_errors limit 1"));
    }
  }

  private static Engine startEngine(JsonObject overrides) {
    return Engine.start(new Engine.Options(Path.of("conf/config.yaml"), true, Map.of(), overrides));
  }

  /**
   * A fresh engine with the configuration, its baselines recomputed, then the range replayed in
   * requests of at most {@code maxSteps} steps. Each request starts one longest window before its
   * range with no hotspot and reports from its start (the engine's warm-up), so an entity hot at a
   * seam is not opened again there, unless only hysteresis held it open for longer than that.
   */
  private static List<Change> replay(String url, String name, JsonObject config, Instant from, Instant to, Args args)
    throws Exception {
    int port = TempDirs.freePort();
    String token = UUID.randomUUID().toString();
    JsonObject overrides = base(url, port, token).mergeIn(config.copy(), true);
    long t0 = System.nanoTime();
    Instant started = Instant.now();
    List<Change> changes = new ArrayList<>();
    try (Engine engine = startEngine(overrides)) {
      long baselines = waitForBaselines(url, started);
      progress("[%s] engine started, %d computed baselines, in %.1f s", name, baselines, (System.nanoTime() - t0) / 1e9);
      long r0 = System.nanoTime();
      Duration chunk = args.step().multipliedBy(args.maxSteps());
      int requests = 0;
      long evaluations = 0;
      for (Instant a = from; a.isBefore(to); a = a.plus(chunk)) {
        Instant b = a.plus(chunk).isAfter(to) ? to : a.plus(chunk);
        JsonObject body = new JsonObject().put("from", a.toString()).put("to", b.toString())
          .put("step", ConfigKey.formatDuration(args.step()));
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/detection/batch"))
          .timeout(Duration.ofMinutes(10)).header("content-type", "application/json")
          .header("authorization", "Bearer " + token)
          .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
          throw new IllegalStateException("[" + name + "] POST /detection/batch " + body.encode() + ": "
            + response.statusCode() + " " + response.body());
        }
        JsonObject answer = new JsonObject(response.body());
        evaluations += answer.getLong("evaluations", 0L);
        for (Object c : answer.getJsonArray("changes", new JsonArray())) {
          changes.add(Change.fromJson((JsonObject) c));
        }
        requests++;
      }
      progress("[%s] replayed %s .. %s in %d request(s), %,d evaluations per entity, %,d changes, in %.1f s%s",
        name, from, to, requests, evaluations, changes.size(), (System.nanoTime() - r0) / 1e9,
        requests > 1 ? " (each request warms up over the longest window before it)" : "");
    }
    return changes;
  }

  /** Until every computed baseline was computed by the engine started at {@code started}; the number of them. */
  private static long waitForBaselines(String url, Instant started) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    String sql = "select count(*) filter (where computed_at >= '" + started + "'::timestamptz) * 1000000 + count(*)"
      + " from baselines where source = 'computed'";
    while (System.nanoTime() < deadline) {
      long v = TestDatabase.queryLong(url, sql);
      long fresh = v / 1_000_000;
      if (fresh > 0 && fresh == v % 1_000_000) {
        return fresh;
      }
      Thread.sleep(100);
    }
    progress("warning: the baselines were not recomputed within 2 minutes; replaying with what the table holds");
    return TestDatabase.queryLong(url, "select count(*) from baselines");
  }

  private static Set<Entity> entities(List<Event> events, Instant from, Instant to) {
    Set<Entity> entities = new TreeSet<>();
    for (Event e : events) {
      if (!e.occurredAt().isBefore(from) && e.occurredAt().isBefore(to)) {
        entities.add(Entity.supplier(e.supplier()));
        entities.add(Entity.route(e.route()));
        entities.add(Entity.vehicleType(e.vehicleType()));
      }
    }
    return entities;
  }

  private static String countByType(Set<Entity> entities) {
    Map<String, Integer> by = new LinkedHashMap<>();
    entities.forEach(e -> by.merge(e.type(), 1, Integer::sum));
    return by.toString();
  }

  private static void progress(String format, Object... args) {
    System.out.printf(Locale.ROOT, "[%5.1f s] " + format + "%n",
      java.util.stream.Stream.concat(java.util.stream.Stream.of((System.nanoTime() - T0) / 1e9), java.util.Arrays.stream(args)).toArray());
  }

  private DetectionQualityBenchmark() {
  }
}
