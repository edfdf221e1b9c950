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
 * the stored models: pure, so that its arithmetic is tested without a server.
 *
 * <p>What a bucket's band means, honestly: {@code expected_co2_kg} is what the entity's model
 * (the one in force now, learnt from the weeks before its last build) expects for that bucket's
 * hours of the week, and {@code upper_co2_kg} the upper edge of normal of a window as long as the
 * bucket, at the spreads (k) of detection's window nearest in length. Detection itself judges
 * sliding windows of its own lengths, against the model of the hour it ran: a bucket above its
 * edge is a strong hint, not proof, that a hotspot was open, and old buckets are judged by
 * today's model. The total has no model of its own: its expectation is the sum of the vehicle
 * types' (every shipment has one vehicle type), and it has no upper edge, because edges do not
 * add up.
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
   * @param sums each bucket's sums by bucket index (absent: nothing happened)
   * @param models the entity's model (one), or every vehicle type's for the total; empty when none
   * @param band the window whose spreads give the upper edge; null for no edge (the total)
   */
  static JsonObject answer(HistoryRequest request, Map<Integer, Sums> sums, List<EntityModel> models,
                           WindowSpec band, EmissionsBasis basis, Instant now) {
    long step = request.step().toSeconds();
    int count = request.buckets();
    List<SeasonalModel> seasonal = models.stream().map(EntityModel::seasonal).filter(m -> m != null).toList();
    // A step divides a day, so a bucket lies within one UTC day and its expectation depends only on
    // the day of the week (weekdays have their own levels) and the bucket's time of day: four weeks
    // by hour need 168 of them, not 672.
    List<Map<Long, double[]>> memo = new java.util.ArrayList<>();
    seasonal.forEach(m -> memo.add(new java.util.HashMap<>()));
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
      if (!seasonal.isEmpty()) {
        double x = 0;
        long key = SeasonalModel.dayOfWeek(Math.floorDiv(start.getEpochSecond(), 86_400L)) * 86_400L
          + Math.floorMod(start.getEpochSecond(), 86_400L);
        for (int i = 0; i < seasonal.size(); i++) {
          SeasonalModel m = seasonal.get(i);
          double[] figures = memo.get(i).computeIfAbsent(key, k -> {
            SeasonalModel.Expected e = m.expected(start, end);
            return new double[] {e.co2(), withEdge ? m.co2Band(e, band.k())[1] : Double.NaN};
          });
          x += figures[0];
        }
        expected = Hotspot.round(x);
        // One entity has one model, whose upper edge is the band's; the total's models have no common edge.
        upper = withEdge ? Hotspot.round(memo.get(0).get(key)[1]) : null;
      }
      bucket.put("expected_co2_kg", expected).put("upper_co2_kg", upper);
      if (end.isAfter(now)) {
        bucket.put("partial", true);
      }
      buckets.add(bucket);
    }
    JsonObject model = null;
    if (!seasonal.isEmpty()) {
      Instant built = models.stream().map(EntityModel::builtAt).max(Instant::compareTo).orElse(null);
      model = new JsonObject().put("built_at", built == null ? null : built.toString()).put("models", seasonal.size());
      if (request.entity() != null && band != null) {
        model.put("window", band.label()).put("k", band.k());
      }
    }
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
