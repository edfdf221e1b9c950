package io.carbonnexus.engine.demo;

import java.time.Instant;

/**
 * One synthetic freight shipment, shaped like an {@code events_normalized} row.
 *
 * @param payloadCapacityTonnes the vehicle's payload capacity for road vehicle types, {@code null}
 *     for rail, sea and air where a shipment is a consignment on a shared vehicle and a load factor
 *     per shipment means nothing
 * @param shipmentId {@code "demo-"} followed by an id that is unique and the same on every run with
 *     the same seed, so a regenerated past collides with the rows already stored instead of
 *     duplicating them
 */
public record DemoEvent(
    Instant occurredAt,
    String supplier,
    String route,
    String vehicleType,
    double distanceKm,
    double loadTonnes,
    Double payloadCapacityTonnes,
    String origin,
    String destination,
    String shipmentId) {
}
