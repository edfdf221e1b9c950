package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.shared.EmissionsBasis;
import io.carbonnexus.engine.shared.Hotspot;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The answer of {@code GET /emissions/history}, assembled from the rollup sums of each bucket and
 * the models that give each bucket its band: pure, so that its arithmetic is tested without a server.
 *
 * <p>What a bucket's band means, honestly: for one entity, {@code expected_co2_kg} is what the
 * entity's model <b>of that bucket's day</b> expects for the bucket's hours — the model learnt at
 * the day's start (UTC) from the weeks before it, by detection's own rule and from the data as
 * stored now, so a band drawn over last week is the normal detection judged last week against,
 * not today's ({@link #daily}) — and
 * {@code upper_co2_kg} the upper edge of normal of a window as long as the bucket, at the spreads
 * (k) of detection's window nearest in length. Detection itself judges sliding windows of its own
 * lengths, against the model of the hour it ran (learnt hourly; the day's first model stands for
 * the day's hours here): a bucket above its edge is a strong hint, not proof, that a hotspot was
 * open. The total has no model of its own: its expectation is the sum of the vehicle types'
 * stored models (every shipment has one vehicle type), and it has no upper edge, because edges do
 * not add up.
 */
final class History {

  private History() {
  }

  /** Sums of one bucket, from the rollups. */
  record Sums(double co2, double events, double tkm) {
  }

  /**
   * The spreads of the band: detection's window as long as the step, else the shortest one longer
   * than it, else the longest.
   */
  static WindowSpec bandWindow(List<WindowSpec> windows, Duration step) {
    WindowSpec chosen = null;
    for (WindowSpec w : windows) {
      if (w.length().compareTo(step) >= 0 && (chosen == null || w.length().compareTo(chosen.length()) < 0)) {
        chosen = w;
      }
    }
    if (chosen != null) {
      return chosen;
    }
    return windows.stream().max((a, b) -> a.length().compareTo(b.length())).orElse(null);
  }

  /**
   * The models that give each bucket its band: the same ones for every bucket (the total, from
   * the stored models), or each day's own (one entity). {@code describe} is the answer's
   * {@code model} object, null when no bucket has a model.
   */
  abstract static class Bands {
    /**
     * Each model's figures (expected, upper edge) by the bucket's day of the week and time of day,
     * kept with the models: a chart asked again (the dashboard's reloads) computes none of them
     * again. Valid for one step and band window, which is why a cached {@code Bands} is keyed by
     * the request. Thread-safe: answers are assembled on worker threads.
     */
    private final Map<SeasonalModel, Map<Long, double[]>> figures =
      java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());

    abstract List<SeasonalModel> at(Instant bucketStart);

    /** The answer's {@code model} object; {@code band} null for no edge (the total, the legacy algorithm). */
    abstract JsonObject describe(WindowSpec band);

    /** When the newest model was built, how many there are, how they were learnt, and the edge's window and k. */
    static JsonObject describe(Instant builtAt, long models, String learnt, WindowSpec band) {
      JsonObject model = new JsonObject().put("built_at", builtAt == null ? null : builtAt.toString())
        .put("models", models).put("learnt", learnt);
      if (band != null) {
        model.put("window", band.label()).put("k", band.k());
      }
      return model;
    }

    Map<Long, double[]> figures(SeasonalModel model) {
      return figures.computeIfAbsent(model, m -> new java.util.concurrent.ConcurrentHashMap<>());
    }
  }

  /** The same models for every bucket: the stored ones (the vehicle types' for the total). */
  static Bands stored(List<EntityModel> models) {
    List<SeasonalModel> seasonal = models.stream().map(EntityModel::seasonal).filter(m -> m != null).toList();
    return new Bands() {
      @Override
      List<SeasonalModel> at(Instant bucketStart) {
        return seasonal;
      }

      @Override
      JsonObject describe(WindowSpec band) {
        return seasonal.isEmpty() ? null : describe(models.stream().map(EntityModel::builtAt).max(Instant::compareTo)
          .orElse(null), seasonal.size(), "stored", band);
      }
    };
  }

  /**
   * The most days a chart gets daily models for (as many as a replay may cover): a longer range,
   * which only a hand-made request asks (the dashboard's longest is 28 days), is drawn with the
   * stored model, as it was before, rather than learn hundreds of models for one read.
   */
  static final int MAX_DAILY_DAYS = 92;

  /**
   * Each bucket's model is its day's: learnt at the day's start (UTC) from {@code hours} before
   * it, by detection's rule and from the data as stored now (none for a day with too little
   * history: no band that day), for the days [firstDay, lastDay] (epoch days). One model per day,
   * not per hour: a day of hours moves a four-week normal by a thirtieth, and a chart of four
   * weeks needs 28 models, not 672. Learnt here, at once, so that the hours are not kept.
   */
  static Bands daily(Hours hours, DetectionSettings settings, long firstDay, long lastDay) {
    Map<Long, List<SeasonalModel>> byDay = new java.util.HashMap<>();
    for (long d = firstDay; d <= lastDay; d++) {
      EntityModel learnt = EntityModel.learn(Instant.ofEpochSecond(d * 86_400L), hours, settings);
      byDay.put(d, learnt == null || learnt.seasonal() == null ? List.of() : List.of(learnt.seasonal()));
    }
    long days = byDay.values().stream().filter(m -> !m.isEmpty()).count();
    Long newest = byDay.entrySet().stream().filter(e -> !e.getValue().isEmpty()).map(Map.Entry::getKey)
      .max(Long::compare).orElse(null);
    return new Bands() {
      @Override
      List<SeasonalModel> at(Instant bucketStart) {
        return byDay.getOrDefault(Math.floorDiv(bucketStart.getEpochSecond(), 86_400L), List.of());
      }

      @Override
      JsonObject describe(WindowSpec band) {
        return newest == null ? null : describe(Instant.ofEpochSecond(newest * 86_400L), days, "daily", band);
      }
    };
  }

  /**
   * @param sums each bucket's sums by bucket index (absent: nothing happened)
   * @param bands the models of each bucket ({@link #stored}, {@link #daily})
   * @param band the window whose spreads give the upper edge; null for no edge (the total)
   */
  static JsonObject answer(HistoryRequest request, Map<Integer, Sums> sums, Bands bands, WindowSpec band,
                           EmissionsBasis basis, Instant now) {
    long step = request.step().toSeconds();
    int count = request.buckets();
    // A step divides a day, so a bucket lies within one UTC day and its expectation depends only on
    // the day of the week (weekdays have their own levels) and the bucket's time of day: with the
    // same model for four weeks by hour, 168 of them, not 672 (and none when asked again).
    boolean withEdge = band != null && request.entity() != null;
    JsonArray buckets = new JsonArray();
    for (int b = 0; b < count; b++) {
      Instant start = request.from().plusSeconds(b * step);
      Instant end = start.plusSeconds(step);
      Sums s = sums.getOrDefault(b, new Sums(0, 0, 0));
      JsonObject bucket = new JsonObject()
        .put("start", start.toString())
        .put("co2_kg", Hotspot.round(s.co2()))
        .put("tonne_km", Hotspot.round(s.tkm()))
        .put("events", Math.round(s.events()));
      Double expected = null;
      Double upper = null;
      List<SeasonalModel> seasonal = bands.at(start);
      if (!seasonal.isEmpty()) {
        double x = 0;
        long key = SeasonalModel.dayOfWeek(Math.floorDiv(start.getEpochSecond(), 86_400L)) * 86_400L
          + Math.floorMod(start.getEpochSecond(), 86_400L);
        double[] first = null;
        for (SeasonalModel m : seasonal) {
          double[] figures = bands.figures(m).computeIfAbsent(key, k -> {
            SeasonalModel.Expected e = m.expected(start, end);
            return new double[] {e.co2(), withEdge ? m.co2Band(e, band.k())[1] : Double.NaN};
          });
          first = first == null ? figures : first;
          x += figures[0];
        }
        expected = Hotspot.round(x);
        // One entity has one model, whose upper edge is the band's; the total's models have no common edge.
        upper = withEdge ? Hotspot.round(first[1]) : null;
      }
      bucket.put("expected_co2_kg", expected).put("upper_co2_kg", upper);
      if (end.isAfter(now)) {
        bucket.put("partial", true);
      }
      buckets.add(bucket);
    }
    JsonObject model = bands.describe(withEdge ? band : null);
    return new JsonObject()
      .put("entity_type", request.entity() == null ? null : request.entity().type().wire())
      .put("entity", request.entity() == null ? null : request.entity().entity())
      .put("from", request.from().toString())
      .put("to", request.to().toString())
      .put("step_seconds", step)
      .put("basis", basis.wire())
      .put("at", now.toString())
      .put("model", model)
      .put("buckets", buckets);
  }
}
