package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.db.Pools;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.BusFailure;
import io.carbonnexus.engine.shared.EmissionsBasis;
import io.carbonnexus.engine.shared.EmissionsSnapshot;
import io.carbonnexus.engine.shared.EntityKey;
import io.carbonnexus.engine.shared.FailureCode;
import io.carbonnexus.engine.shared.Hotspot;
import io.carbonnexus.engine.shared.HotspotStatus;
import io.carbonnexus.engine.shared.Percent;
import io.carbonnexus.engine.shared.ListQuery;
import io.carbonnexus.engine.shared.ReadCache;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.carbonnexus.engine.db.SqlTime.at;

/**
 * Answers the reads of the hotspot concern from the database, so that any instance on any node
 * gives the same answer: the current emissions snapshot, the hotspot list and the supplier
 * comparison. It never writes. The snapshot and the lists are kept for a second
 * ({@link #READ_TTL_MS}) and shared by the requests that ask meanwhile; a hotspot change clears
 * the lists at once, and each published snapshot replaces the kept one.
 */
public final class HotspotQueryVerticle extends VerticleBase {

  /** Within this many percent of the previous window, a supplier's trend is "flat". */
  static final double FLAT_TREND_PERCENT = 5.0;

  /** How old a read may be: the dashboard's polls share one query per second, the channels are live. */
  static final long READ_TTL_MS = 1_000;
  private static final String CURRENT = "current";

  private final Clock clock;
  private Pool pool;
  private Duration window;
  private EmissionsBasis basis;
  private DetectionSettings detection;
  /** Kept as JSON text: encoded once, and a buffer crosses the bus without a deep copy. */
  private final ReadCache<String, Buffer> snapshots = new ReadCache<>(READ_TTL_MS, 1);
  private final ReadCache<String, Buffer> lists = new ReadCache<>(READ_TTL_MS, 256);
  /**
   * Parsed models for the history's bands, kept for {@link #MODEL_TTL_MS}: models are learnt once
   * an hour, so a band a minute behind the newest model is the same band, and a chart's reloads do
   * not parse the same JSON again. Keyed by the entity, empty for the total.
   */
  private final ReadCache<Optional<EntityKey>, List<EntityModel>> models = new ReadCache<>(MODEL_TTL_MS, 1_024);
  /**
   * An entity's daily models and their figures, kept as long, keyed by the request (entity, range,
   * step): a day's model learns from the hours before its start minus the longest window,
   * so a minute of new shipments changes none of them, and a chart asked again learns nothing
   * again. At most 92 models and their figures per key (well under a megabyte), 64 keys.
   */
  private final ReadCache<HistoryRequest, History.Bands> daily = new ReadCache<>(MODEL_TTL_MS, 64);
  static final long MODEL_TTL_MS = 60_000;

  public HotspotQueryVerticle() {
    this(Clock.systemUTC());
  }

  public HotspotQueryVerticle(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    JsonObject conf = config();
    pool = Pools.shared(vertx, conf);
    window = ConfigKeys.DETECTION_WINDOW.get(conf);
    basis = ConfigKeys.EMISSIONS_BASIS.get(conf);
    detection = DetectionSettingsReader.read(conf);
    var bus = vertx.eventBus();
    return Future.all(
      // What detection publishes is the freshest answer; any change of a hotspot makes the lists old.
      bus.<JsonObject>consumer(Addresses.EMISSIONS, m -> snapshots.put(CURRENT, m.body().toBuffer())).completion(),
      bus.<JsonObject>consumer(Addresses.HOTSPOTS, m -> lists.clear()).completion(),
      bus.<JsonObject>consumer(Addresses.EMISSIONS_CURRENT, m -> BusFailure.answer(m, this::current)).completion(),
      bus.<JsonObject>consumer(Addresses.HOTSPOTS_LIST, m -> BusFailure.answer(m, this::list)).completion(),
      bus.<JsonObject>consumer(Addresses.SUPPLIERS_COMPARE, m -> BusFailure.answer(m, this::compare)).completion(),
      bus.<JsonObject>consumer(Addresses.EMISSIONS_HISTORY, m -> BusFailure.answer(m, this::history)).completion());
  }

  private Future<Buffer> current(JsonObject request) {
    return snapshots.get(CURRENT, () -> currentSnapshot(pool, window, basis, clock.instant()).map(s -> s.toJson().toBuffer()));
  }

  /**
   * The window's totals per entity against the baselines in force, from the database: the same
   * answer on every node, whichever evaluated last.
   */
  static Future<EmissionsSnapshot> currentSnapshot(Pool pool, Duration window, EmissionsBasis basis, Instant now) {
    OffsetDateTime to = at(DetectionSettingsReader.liveEnd(now));
    Map<EntityKey, Double> baselines = new HashMap<>();
    return pool.query(HotspotSql.EFFECTIVE_BASELINES).execute()
      .compose(rows -> {
        rows.forEach(r -> EntityKey.known(r.getString(0), r.getString(1)).ifPresent(k -> baselines.put(k, r.getDouble(2))));
        return pool.preparedQuery(HotspotSql.WINDOW_ACTIVITY).execute(Tuple.of(to.minus(window), to, null, null, null));
      })
      .map(rows -> {
        List<EmissionsSnapshot.EntityTotal> totals = new ArrayList<>();
        for (Row r : rows) {
          EntityKey.known(r.getString(0), r.getString(1)).ifPresent(key -> totals.add(new EmissionsSnapshot.EntityTotal(
            key.type().wire(), key.entity(), r.getDouble("co2"), baselines.get(key), r.getDouble("tkm"))));
        }
        return EmissionsSnapshot.of(now, window.toSeconds(), basis, totals);
      });
  }

  /**
   * The time series of one entity or of the total, from the rollups, with each bucket's
   * expectation and upper edge ({@link History}): for one entity from the model of the bucket's
   * day, learnt from the hours before it as detection learnt it then; for the total from the
   * vehicle types' stored models. Models of another algorithm than the configured one are not
   * used: their buckets have no band.
   */
  private Future<Buffer> history(JsonObject query) {
    Instant now = clock.instant();
    HistoryRequest request = HistoryRequest.parse(query, now);
    OffsetDateTime from = at(request.from());
    OffsetDateTime to = at(request.to());
    long step = request.step().toSeconds();
    // Whole hours from the hour rollups (a step of hours has buckets of whole hours: from is aligned on it).
    boolean hours = step % 3600 == 0;
    Future<io.vertx.sqlclient.RowSet<Row>> sums = request.entity() == null
      ? pool.preparedQuery(hours ? HotspotSql.TOTAL_HISTORY_HOURS : HotspotSql.TOTAL_HISTORY_MINUTES)
        .execute(Tuple.of(from, step, to))
      : pool.preparedQuery(hours ? HotspotSql.ENTITY_HISTORY_HOURS : HotspotSql.ENTITY_HISTORY_MINUTES)
        .execute(Tuple.of(from, step, request.entity().type().wire(), request.entity().entity(), to));
    boolean perDay = request.entity() != null && !detection.legacy()
      && Duration.between(request.from(), request.to()).toDays() <= History.MAX_DAILY_DAYS;
    Future<History.Bands> bands = perDay
      ? daily.get(request, () -> dailyBands(request))
      : models.get(Optional.ofNullable(request.entity()), () -> (request.entity() == null
        ? pool.query(HotspotSql.VEHICLE_TYPE_MODELS).execute()
        : pool.preparedQuery(HotspotSql.ENTITY_MODEL).execute(Tuple.of(request.entity().type().wire(),
          request.entity().entity())))
        .map(this::parseModels)).map(History::stored);
    return Future.all(sums, bands).compose(all -> {
      Map<Integer, History.Sums> buckets = new HashMap<>();
      for (Row r : sums.result()) {
        buckets.put(r.getInteger("b"), new History.Sums(num(r, "co2"), num(r, "events"), num(r, "tkm")));
      }
      WindowSpec band = detection.legacy() ? null : History.bandWindow(detection.windows(), request.step());
      // The bands' figures (an exact negative-binomial tail each) are CPU work: off the event loop.
      return vertx.executeBlocking(() -> History.answer(request, buckets, bands.result(), band, basis, now).toBuffer(),
        false);
    });
  }

  /**
   * The models of each day of the range, learnt from the entity's hours that the first day's
   * model needs up to those the last day's needs (its start minus the gap), off the event loop.
   */
  private Future<History.Bands> dailyBands(HistoryRequest request) {
    long firstDay = Math.floorDiv(request.from().getEpochSecond(), 86_400L);
    long lastDay = Math.floorDiv(request.to().getEpochSecond() - 1, 86_400L);
    // detection.history() is the history a model learns from plus the gap before its hour.
    Instant origin = Instant.ofEpochSecond(firstDay * 86_400L).minus(detection.history());
    Instant end = Instant.ofEpochSecond(lastDay * 86_400L);
    int length = (int) Duration.between(origin, end).toHours();
    return pool.preparedQuery(HotspotSql.entityHourlyActivity(origin, end))
      .execute(Tuple.of(at(origin), 3600.0,
        at(end), request.entity().type().wire(), request.entity().entity()))
      .compose(rows -> vertx.executeBlocking(() -> {
        Activity[] series = ModelStore.buckets(rows, length).getOrDefault(request.entity(), new Activity[length]);
        return History.daily(ModelStore.hours(origin, series), detection, firstDay, lastDay);
      }, false));
  }

  /** The rows' models of the configured algorithm (another algorithm's would draw a band detection does not use). */
  private List<EntityModel> parseModels(io.vertx.sqlclient.RowSet<Row> rows) {
    List<EntityModel> out = new ArrayList<>();
    for (Row r : rows) {
      EntityModel model = ModelStore.fromRow(r, detection);
      if (model != null) {
        out.add(model);
      }
    }
    return List.copyOf(out);
  }

  private static double num(Row r, String column) {
    Object v = r.getValue(column);
    return v instanceof Number n ? n.doubleValue() : 0;
  }

  private Future<Buffer> list(JsonObject request) {
    ListQuery q = ListQuery.of(request);
    String status = ListQuery.oneOf(request, "status", HotspotStatus.wires());
    return lists.get(request.encode(), () -> pool.preparedQuery(HotspotSql.LIST_HOTSPOTS)
      .execute(Tuple.of(q.severities(), status, q.entityType(), q.entity(), q.since(), q.limit()))
      .map(rows -> {
        JsonArray list = new JsonArray();
        Hotspot.readable(rows, false).forEach(h -> list.add(h.toJson()));
        return list.toBuffer();
      }));
  }

  private Future<JsonObject> compare(JsonObject request) {
    Object asked = request.getValue("supplier");
    JsonArray names = asked instanceof JsonArray a ? a : asked instanceof String s ? new JsonArray().add(s) : null;
    if (names == null || names.isEmpty() || names.size() > 20) {
      throw new IllegalArgumentException("supplier: give 1 to 20 suppliers (supplier=A&supplier=B)");
    }
    LinkedHashSet<String> suppliers = new LinkedHashSet<>();
    names.forEach(n -> {
      if (!(n instanceof String s) || s.isEmpty()) {
        throw new IllegalArgumentException("supplier: each supplier must be a non-empty string");
      }
      suppliers.add(s);
    });
    String[] list = suppliers.toArray(String[]::new);
    Instant now = clock.instant();
    OffsetDateTime to = at(now);
    OffsetDateTime from = to.minus(window);
    Map<String, JsonObject> hotspots = new HashMap<>();
    return pool.preparedQuery(HotspotSql.OPEN_SUPPLIER_HOTSPOTS).execute(Tuple.of((Object) list))
      .compose(rows -> {
        Hotspot.readable(rows, false).forEach(h -> hotspots.put(h.entity(), h.toJson()));
        return pool.preparedQuery(HotspotSql.COMPARE_SUPPLIERS).execute(Tuple.of(list, from, to, from.minus(window)));
      })
      .compose(rows -> {
        JsonArray out = new JsonArray();
        List<String> unknown = new ArrayList<>();
        for (Row r : rows) {
          if (!r.getBoolean("known")) {
            unknown.add(r.getString("supplier"));
            continue;
          }
          out.add(comparison(r, hotspots.get(r.getString("supplier"))));
        }
        if (!unknown.isEmpty()) {
          return Future.failedFuture(new BusFailure(FailureCode.NOT_FOUND,
            "no events and no baseline for these suppliers", new JsonArray(unknown)).asException());
        }
        return Future.succeededFuture(new JsonObject().put("at", now.toString())
          .put("window_seconds", window.toSeconds()).put("basis", basis.wire()).put("suppliers", out));
      });
  }

  static JsonObject comparison(Row r, JsonObject hotspot) {
    double predicted = r.getDouble("predicted");
    double previous = r.getDouble("previous");
    double tonneKm = r.getDouble("tonne_km");
    Double baseline = r.getDouble("baseline");
    Double trendPercent = previous > 0 ? Math.round((predicted - previous) / previous * 1000) / 10.0 : null;
    String trend = trendPercent == null ? (predicted > 0 ? "new" : "flat")
      : Math.abs(trendPercent) < FLAT_TREND_PERCENT ? "flat" : trendPercent > 0 ? "up" : "down";
    return new JsonObject()
      .put("supplier", r.getString("supplier"))
      .put("predicted", Hotspot.round(predicted))
      .put("baseline", baseline == null ? null : Hotspot.round(baseline))
      .put("baseline_source", r.getString("source"))
      .put("percent_of_baseline", baseline == null ? null : Percent.of(predicted, baseline))
      .put("events", r.getLong("events"))
      .put("tonne_km", Hotspot.round(tonneKm))
      .put("intensity_kg_per_tkm", EmissionsSnapshot.intensity(predicted, tonneKm))
      .put("previous", Hotspot.round(previous))
      .put("trend_percent", trendPercent)
      .put("trend", trend)
      .put("hotspot", hotspot);
  }
}
