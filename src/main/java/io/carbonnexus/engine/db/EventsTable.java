package io.carbonnexus.engine.db;

import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Writing rows into {@code events_normalized}, as producers do: the demo feed and
 * {@code POST /events}. One statement per batch, the columns sent as arrays.
 */
public final class EventsTable {

  /** One row in the table's shape; the id is the table's to assign. */
  public record Row(Instant occurredAt, String supplier, String route, String vehicleType, double distanceKm,
                    double loadTonnes, Double payloadCapacityTonnes, String origin, String destination,
                    String shipmentId) {
  }

  /** Inserts the rows of {@link #columns} in their order and returns their new ids in the same order. */
  public static final String INSERT = """
    insert into events_normalized
      (occurred_at, supplier, route, vehicle_type, distance_km, load_tonnes, payload_capacity_tonnes, origin,
       destination, shipment_id)
    select * from unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[],
                         $7::float8[], $8::text[], $9::text[], $10::text[])
    returning id
    """;

  private EventsTable() {
  }

  public static Tuple columns(List<Row> rows) {
    int n = rows.size();
    OffsetDateTime[] occurredAt = new OffsetDateTime[n];
    String[] supplier = new String[n];
    String[] route = new String[n];
    String[] vehicleType = new String[n];
    Double[] distance = new Double[n];
    Double[] load = new Double[n];
    Double[] capacity = new Double[n];
    String[] origin = new String[n];
    String[] destination = new String[n];
    String[] shipmentId = new String[n];
    for (int i = 0; i < n; i++) {
      Row r = rows.get(i);
      occurredAt[i] = OffsetDateTime.ofInstant(r.occurredAt(), ZoneOffset.UTC);
      supplier[i] = r.supplier();
      route[i] = r.route();
      vehicleType[i] = r.vehicleType();
      distance[i] = r.distanceKm();
      load[i] = r.loadTonnes();
      capacity[i] = r.payloadCapacityTonnes();
      origin[i] = r.origin();
      destination[i] = r.destination();
      shipmentId[i] = r.shipmentId();
    }
    return Tuple.tuple()
      .addArrayOfOffsetDateTime(occurredAt)
      .addArrayOfString(supplier)
      .addArrayOfString(route)
      .addArrayOfString(vehicleType)
      .addArrayOfDouble(distance)
      .addArrayOfDouble(load)
      .addArrayOfDouble(capacity)
      .addArrayOfString(origin)
      .addArrayOfString(destination)
      .addArrayOfString(shipmentId);
  }
}
