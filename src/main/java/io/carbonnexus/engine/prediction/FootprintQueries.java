package io.carbonnexus.engine.prediction;

import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.BusFailure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers the iLEAP export ({@link Addresses#FOOTPRINTS_SHIPMENTS}, {@link Addresses#FOOTPRINTS_TOCS})
 * for the prediction verticle, which owns the predictions and the factor table they come from.
 * Paging is by key: a page is at most {@code limit} objects after the key {@code after} (the last
 * shipmentId or tocId of the previous page); keys are stable, so a page never repeats or skips
 * one because rows were added meanwhile.
 */
final class FootprintQueries {

  static final int DEFAULT_LIMIT = 100;

  private final Vertx vertx;
  private final Pool pool;
  private final EmissionFactorTable table;
  /** The TOCs never change while the engine runs: built once, in tocId order. */
  private final List<JsonObject> tocs;

  FootprintQueries(Vertx vertx, Pool pool, EmissionFactorTable table) {
    this.vertx = vertx;
    this.pool = pool;
    this.table = table;
    this.tocs = table.factors().stream().map(f -> IleapExport.toc(f, EmissionFactorTable.FACTOR_SET))
      .sorted((a, b) -> a.getString("tocId").compareTo(b.getString("tocId"))).toList();
  }

  Future<Void> register() {
    return Future.all(
      vertx.eventBus().<JsonObject>consumer(Addresses.FOOTPRINTS_SHIPMENTS, m -> BusFailure.answer(m, this::shipments))
        .completion(),
      vertx.eventBus().<JsonObject>consumer(Addresses.FOOTPRINTS_TOCS, m -> BusFailure.answer(m, this::tocs))
        .completion()).mapEmpty();
  }

  private Future<JsonArray> shipments(JsonObject query) {
    OffsetDateTime from = instant(query, "from");
    OffsetDateTime to = instant(query, "to");
    if (from != null && to != null && !from.isBefore(to)) {
      throw new IllegalArgumentException("from must be before to");
    }
    String supplier = query.getString("supplier");
    String after = query.getString("after", "");
    int limit = query.getInteger("limit", DEFAULT_LIMIT);
    return pool.preparedQuery(FootprintSql.SHIPMENT_PAGE).execute(Tuple.of(from, to, supplier, after, limit))
      .compose(page -> {
        List<String> keys = new ArrayList<>();
        List<Long> eventIds = new ArrayList<>();
        for (Row row : page) {
          String key = row.getString("shipment_key");
          keys.add(key);
          if (key.matches("[0-9]{1,18}")) {
            eventIds.add(Long.parseLong(key));
          }
        }
        if (keys.isEmpty()) {
          return Future.succeededFuture(new JsonArray());
        }
        return pool.preparedQuery(FootprintSql.SHIPMENT_LEGS)
          .execute(Tuple.of(keys.toArray(String[]::new), eventIds.toArray(Long[]::new), supplier))
          .map(rows -> {
            List<IleapExport.Leg> legs = new ArrayList<>();
            for (Row r : rows) {
              legs.add(new IleapExport.Leg(r.getLong("id"), r.getString("shipment_key"), r.getOffsetDateTime("occurred_at"),
                r.getString("vehicle_type"), r.getDouble("distance_km"), r.getDouble("load_tonnes"),
                r.getDouble("tonne_km"), r.getDouble("co2e_ttw_kg"), r.getDouble("co2e_wtw_kg")));
            }
            return IleapExport.footprints(legs, table);
          });
      });
  }

  private Future<JsonArray> tocs(JsonObject query) {
    String after = query.getString("after", "");
    int limit = query.getInteger("limit", DEFAULT_LIMIT);
    return Future.succeededFuture(new JsonArray(new ArrayList<>(tocs.stream()
      .filter(t -> t.getString("tocId").compareTo(after) > 0).limit(limit).toList())));
  }

  private static OffsetDateTime instant(JsonObject query, String name) {
    String value = query.getString(name);
    if (value == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(name + " is not an RFC 3339 date-time: " + value);
    }
  }
}
