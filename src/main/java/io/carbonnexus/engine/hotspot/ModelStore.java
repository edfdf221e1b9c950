package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.config.ConfigKey;
import io.carbonnexus.engine.shared.EntityKey;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Entities' models to and from the database: what the baselines verticle writes (models and the
 * baselines of the moment) and what detection reads.
 */
final class ModelStore {

  private ModelStore() {
  }

  /**
   * Rows of {@link HotspotSql#BUCKET_ACTIVITY} into each entity's activity, bucket by bucket; rows
   * of an entity type this engine does not know are skipped ({@link EntityKey#known}).
   */
  static Map<EntityKey, Activity[]> buckets(RowSet<Row> rows, int count) {
    return buckets(rows, count, r -> EntityKey.known(r.getString("entity_type"), r.getString("entity")).orElse(null));
  }

  /** Rows of {@link HotspotSql#LANE_BUCKET_ACTIVITY} into each lane's activity, bucket by bucket. */
  static Map<Lane, Activity[]> laneBuckets(RowSet<Row> rows, int count) {
    return buckets(rows, count, ModelStore::lane);
  }

  static Lane lane(Row r) {
    return new Lane(r.getString("supplier"), r.getString("route"));
  }

  /** Rows with a bucket number {@code b} into each key's series; a row whose key is null is skipped. */
  private static <K> Map<K, Activity[]> buckets(RowSet<Row> rows, int count, Function<Row, K> keyOf) {
    Map<K, Activity[]> out = new HashMap<>();
    for (Row r : rows) {
      int b = r.getInteger("b");
      K key = keyOf.apply(r);
      if (b >= 0 && b < count && key != null) {
        out.computeIfAbsent(key, k -> new Activity[count])[b] = activity(r);
      }
    }
    return out;
  }

  /** Hourly series from {@code from} as the hours a model is learnt from. */
  static Hours hours(Instant from, Activity[] series) {
    Hours h = new Hours(from, series.length);
    for (int i = 0; i < series.length; i++) {
      if (series[i] != null) {
        h.add(i, series[i]);
      }
    }
    return h;
  }

  /** A row's sums; {@code air} where the row has it (a lane's), else 0. */
  static Activity activity(Row r) {
    return new Activity(num(r, "co2"), num(r, "events"), num(r, "tkm"), num(r, "co2_sq"), num(r, "co2_tkm"), num(r, "tkm_sq"),
      r.getColumnIndex("air") >= 0 ? num(r, "air") : 0);
  }

  private static double num(Row r, String column) {
    Object v = r.getValue(column);
    return v instanceof Number n ? n.doubleValue() : 0;
  }

  /**
   * What one learning produced: each entity's model, its computed baseline and its bands, and
   * each lane's model (seasonal only), at one moment.
   */
  record Learnt(Map<EntityKey, EntityModel> models, List<Baseline> baselines, List<Band> bands,
                Map<Lane, EntityModel> lanes) {
  }

  /** The computed baseline of an entity: the upper edge of its normal CO2 over detection.window. */
  record Baseline(EntityKey key, double baseline, Double expected, String statistic, int samples, Duration window) {
  }

  /** The band of one window and measure. */
  record Band(EntityKey key, Duration window, String kind, double expected, double baseline) {
  }

  /**
   * Learns every entity and lane of the hourly rows (hours [from, hour)); pure but for the rows.
   * {@code laneRows} is null when lanes are not judged ({@link DetectionSettings#judgesLanes()}).
   */
  static Learnt learnAll(RowSet<Row> rows, RowSet<Row> laneRows, Instant from, Instant hour, Instant now,
                         DetectionSettings s) {
    int hours = (int) Duration.between(from, hour).toHours();
    Map<EntityKey, EntityModel> models = new HashMap<>();
    List<Baseline> baselines = new ArrayList<>();
    List<Band> bands = new ArrayList<>();
    Map<Lane, EntityModel> lanes = new HashMap<>();
    if (laneRows != null && s.judgesLanes()) {
      laneBuckets(laneRows, hours).forEach((lane, series) -> {
        EntityModel model = EntityModel.learn(hour, hours(from, series), s);
        if (model != null) {
          lanes.put(lane, model);
        }
      });
    }
    Instant end = DetectionSettingsReader.liveEnd(now);
    buckets(rows, hours).forEach((key, series) -> {
      EntityModel model = EntityModel.learn(hour, hours(from, series), s);
      if (model == null) {
        return;
      }
      models.put(key, model);
      if (model.seasonal() == null) {
        baselines.add(new Baseline(key, model.legacyBaseline(), null, s.legacyStatistic().name(),
          s.legacyHistoryWindows(), s.legacyWindow()));
        return;
      }
      SeasonalModel m = model.seasonal();
      double k = s.windows().stream().filter(w -> w.length().equals(s.legacyWindow())).map(WindowSpec::k).findFirst()
        .orElse(s.windows().get(s.windows().size() - 1).k());
      double[] main = m.co2Band(m.expected(end.minus(s.legacyWindow()), end), k);
      if (main[1] > 0) {
        baselines.add(new Baseline(key, main[1], main[0], m.describe(), m.days(), s.legacyWindow()));
      }
      for (WindowSpec w : s.windows()) {
        double[] band = m.co2Band(m.expected(end.minus(w.length()), end), w.k());
        if (band[1] > 0) {
          bands.add(new Band(key, w.length(), "emissions", band[0], band[1]));
        }
      }
      if (s.intensityWindow() != null) {
        SeasonalModel.Expected x = m.expected(end.minus(s.intensityWindow()), end);
        double[] band = m.intensityBand(Math.max(1, x.events()), x.tkm(), s.intensityK());
        if (band != null && band[1] > 0) {
          bands.add(new Band(key, s.intensityWindow(), "intensity", band[0], band[1]));
        }
      }
    });
    return new Learnt(models, baselines, bands, lanes);
  }

  /** Stores the models, baselines and bands of a learning; those it did not refresh are removed. */
  static Future<Integer> save(Pool pool, Learnt learnt, Instant hour, Instant now, DetectionSettings s) {
    OffsetDateTime built = OffsetDateTime.ofInstant(hour, ZoneOffset.UTC);
    Tuple models = models(learnt.models(), k -> k.type().wire(), EntityKey::entity, s, built);
    Tuple laneModels = models(learnt.lanes(), Lane::supplier, Lane::route, s, built);
    List<Baseline> bl = learnt.baselines();
    List<Band> bd = learnt.bands();
    OffsetDateTime at = OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
    Tuple baselines = Tuple.tuple()
      .addArrayOfString(bl.stream().map(b -> b.key().type().wire()).toArray(String[]::new))
      .addArrayOfString(bl.stream().map(b -> b.key().entity()).toArray(String[]::new))
      .addArrayOfDouble(bl.stream().map(Baseline::baseline).toArray(Double[]::new))
      .addOffsetDateTime(at)
      .addArrayOfString(bl.stream().map(Baseline::statistic).toArray(String[]::new))
      .addArrayOfInteger(bl.stream().map(Baseline::samples).toArray(Integer[]::new))
      .addArrayOfLong(bl.stream().map(b -> b.window().toSeconds()).toArray(Long[]::new))
      .addArrayOfDouble(bl.stream().map(Baseline::expected).toArray(Double[]::new));
    Tuple bands = Tuple.tuple()
      .addArrayOfString(bd.stream().map(b -> b.key().type().wire()).toArray(String[]::new))
      .addArrayOfString(bd.stream().map(b -> b.key().entity()).toArray(String[]::new))
      .addOffsetDateTime(at)
      .addArrayOfLong(bd.stream().map(b -> b.window().toSeconds()).toArray(Long[]::new))
      .addArrayOfString(bd.stream().map(Band::kind).toArray(String[]::new))
      .addArrayOfDouble(bd.stream().map(Band::expected).toArray(Double[]::new))
      .addArrayOfDouble(bd.stream().map(Band::baseline).toArray(Double[]::new));
    return pool.withTransaction(conn -> conn.preparedQuery(HotspotSql.UPSERT_MODEL).execute(models)
        .compose(v -> conn.preparedQuery(HotspotSql.DELETE_STALE_MODELS).execute(Tuple.of(built)))
        .compose(v -> conn.preparedQuery(HotspotSql.UPSERT_LANE_MODELS).execute(laneModels))
        .compose(v -> conn.preparedQuery(HotspotSql.DELETE_STALE_LANE_MODELS).execute(Tuple.of(built)))
        .compose(v -> conn.preparedQuery(HotspotSql.UPSERT_COMPUTED_BASELINES).execute(baselines))
        .compose(v -> conn.preparedQuery(HotspotSql.DELETE_STALE_BASELINES).execute(Tuple.of(at)))
        .compose(v -> conn.preparedQuery(HotspotSql.UPSERT_BANDS).execute(bands))
        .compose(v -> conn.preparedQuery(HotspotSql.DELETE_STALE_BANDS).execute(Tuple.of(at))))
      .map(v -> learnt.models().size());
  }

  /** The arrays of {@link HotspotSql#UPSERT_MODEL} (or the lanes'): each model's two keys, algorithm, time and JSON. */
  private static <K> Tuple models(Map<K, EntityModel> models, Function<K, String> first, Function<K, String> second,
                                  DetectionSettings s, OffsetDateTime built) {
    List<Map.Entry<K, EntityModel>> rows = new ArrayList<>(models.entrySet());
    return Tuple.tuple()
      .addArrayOfString(rows.stream().map(e -> first.apply(e.getKey())).toArray(String[]::new))
      .addArrayOfString(rows.stream().map(e -> second.apply(e.getKey())).toArray(String[]::new))
      .addArrayOfString(rows.stream().map(e -> s.algorithm()).toArray(String[]::new))
      .addArrayOfOffsetDateTime(rows.stream().map(e -> built).toArray(OffsetDateTime[]::new))
      .addArrayOfJsonObject(rows.stream().map(e -> toJson(e.getValue())).toArray(JsonObject[]::new));
  }

  static JsonObject toJson(EntityModel model) {
    return model.seasonal() != null
      ? new JsonObject().put("seasonal", ModelJson.toJson(model.seasonal()))
      : new JsonObject().put("legacy_baseline", model.legacyBaseline()).put("built_at", model.builtAt().toString());
  }

  static EntityModel fromJson(JsonObject json, Instant builtAt) {
    JsonObject seasonal = json.getJsonObject("seasonal");
    return seasonal != null ? new EntityModel(builtAt, ModelJson.fromJson(seasonal), Double.NaN)
      : new EntityModel(builtAt, null, json.getDouble("legacy_baseline"));
  }

  /**
   * A stored model row (algorithm, built_at, model), or null when it is another algorithm's: its
   * band is not what detection uses.
   */
  static EntityModel fromRow(Row r, DetectionSettings s) {
    if (!s.algorithm().equals(r.getString("algorithm"))) {
      return null;
    }
    Object model = r.getValue("model");
    JsonObject json = model instanceof JsonObject o ? o : new JsonObject(String.valueOf(model));
    return fromJson(json, r.getOffsetDateTime("built_at").toInstant());
  }

  /** Every stored model of the configured algorithm (another algorithm's models are ignored). */
  static Future<Map<EntityKey, EntityModel>> load(Pool pool, DetectionSettings s) {
    return pool.query(HotspotSql.MODELS).execute().map(rows -> {
      Map<EntityKey, EntityModel> models = new HashMap<>();
      for (Row r : rows) {
        EntityModel model = fromRow(r, s);
        if (model != null) {
          EntityKey.known(r.getString("entity_type"), r.getString("entity")).ifPresent(k -> models.put(k, model));
        }
      }
      return models;
    });
  }

  /** Every stored lane model of the configured algorithm (none when lanes are not judged). */
  static Future<Map<Lane, EntityModel>> loadLanes(Pool pool, DetectionSettings s) {
    if (!s.judgesLanes()) {
      return Future.succeededFuture(Map.of());
    }
    return pool.query(HotspotSql.LANE_MODELS).execute().map(rows -> {
      Map<Lane, EntityModel> lanes = new HashMap<>();
      for (Row r : rows) {
        EntityModel model = fromRow(r, s);
        if (model != null && model.seasonal() != null) {
          lanes.put(lane(r), model);
        }
      }
      return lanes;
    });
  }

  /** Operators' targets: per entity, kg CO2 per {@code window} (detection.window). */
  static Future<Map<EntityKey, Map<Duration, Double>>> targets(io.vertx.sqlclient.SqlClient client, Duration window) {
    return client.query(HotspotSql.TARGETS).execute().map(rows -> {
      Map<EntityKey, Map<Duration, Double>> out = new HashMap<>();
      for (Row r : rows) {
        EntityKey.known(r.getString("entity_type"), r.getString("entity"))
          .ifPresent(k -> out.put(k, Map.of(window, r.getDouble("baseline"))));
      }
      return out;
    });
  }

  static String describe(Duration window) {
    return ConfigKey.formatDuration(window);
  }
}
