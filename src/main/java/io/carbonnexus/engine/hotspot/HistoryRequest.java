package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.config.ConfigKey;
import io.carbonnexus.engine.shared.EntityKey;
import io.carbonnexus.engine.shared.EntityType;
import io.carbonnexus.engine.shared.ListQuery;
import io.carbonnexus.engine.shared.Words;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What {@code GET /emissions/history} asks for, read and checked: one entity or the total, the
 * range [from, to) and the step of its buckets. The contract refuses most bad values already; the
 * bus is an interface of its own, so each rule is checked here again and each refusal names its
 * parameter.
 *
 * <p>Buckets are aligned on UTC multiples of the step (every step divides a day): {@code from} is
 * moved back and {@code to} forward to the nearest boundary, so that the same hour is the same
 * bucket whoever asks. Without {@code to} the range ends with the bucket that holds now; without
 * {@code from} it starts {@link #DEFAULT_RANGE} before its end.
 *
 * @param entity the entity, or null for the total of every shipment
 */
record HistoryRequest(EntityKey entity, Instant from, Instant to, Duration step) {

  static final Duration DEFAULT_RANGE = Duration.ofDays(28);
  static final Duration DEFAULT_STEP = Duration.ofHours(1);
  /**
   * The most buckets one answer holds: a week by 5 minutes, twelve weeks by hour. It bounds the
   * rows read and the answer's size (about 100 bytes a bucket); a chart has no more pixels anyway.
   */
  static final int MAX_BUCKETS = 2_016;
  /** The steps offered, by name: each divides a day, so buckets never straddle midnight UTC. */
  static final List<String> STEP_NAMES = List.of("5m", "10m", "15m", "30m", "1h", "2h", "3h", "6h", "12h", "1d");
  static final Map<String, Duration> STEPS = STEP_NAMES.stream()
    .collect(Collectors.toUnmodifiableMap(name -> name, ConfigKey::parseDurationText));

  int buckets() {
    return (int) (Duration.between(from, to).toSeconds() / step.toSeconds());
  }

  static HistoryRequest parse(JsonObject query, Instant now) {
    String type = ListQuery.text(query, "entity_type");
    String name = ListQuery.text(query, "entity");
    if (type != null && EntityType.find(type).isEmpty()) {
      throw new IllegalArgumentException("entity_type: must be " + Words.either(EntityType.wires()));
    }
    if ((type == null) != (name == null)) {
      throw new IllegalArgumentException((type == null ? "entity_type" : "entity")
        + ": give entity_type and entity together, or neither (the total)");
    }
    if (name != null && name.isEmpty()) {
      throw new IllegalArgumentException("entity: must not be empty");
    }
    String stepName = ListQuery.text(query, "step");
    Duration step = stepName == null ? DEFAULT_STEP : STEPS.get(stepName);
    if (step == null) {
      throw new IllegalArgumentException("step: must be " + Words.either(STEP_NAMES));
    }
    Instant to = ListQuery.instant(query, "to");
    Instant from = ListQuery.instant(query, "from");
    to = ceil(to == null ? now : to, step);
    from = floor(from == null ? to.minus(DEFAULT_RANGE) : from, step);
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException("to: must be after from");
    }
    long buckets = Duration.between(from, to).toSeconds() / step.toSeconds();
    if (buckets > MAX_BUCKETS) {
      throw new IllegalArgumentException("step: " + buckets + " buckets of " + stepName + " from " + from + " to " + to
        + "; at most " + MAX_BUCKETS + " per request: a longer step or a shorter range");
    }
    return new HistoryRequest(name == null ? null : new EntityKey(type, name), from, to, step);
  }

  static Instant floor(Instant t, Duration step) {
    long s = step.toSeconds();
    return Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), s) * s);
  }

  /** The bucket boundary at or after t: an instant inside a bucket ends the range with that bucket. */
  static Instant ceil(Instant t, Duration step) {
    Instant floor = floor(t, step);
    return floor.equals(t) ? t : floor.plus(step);
  }

}
