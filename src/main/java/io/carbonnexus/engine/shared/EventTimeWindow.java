package io.carbonnexus.engine.shared;

import io.carbonnexus.engine.config.ConfigKey;
import io.carbonnexus.engine.config.ConfigKeys;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The plausible times of a shipment event: from {@code maxAge} before {@code now} to
 * {@code maxAhead} after it ({@code ingestion.max_event_age}, {@code ingestion.max_event_ahead}).
 * A year-0 or year-9999 {@code occurred_at} is a producer's bug, not a shipment: it would sit in
 * every history query and report as if it were real. One rule for both ways in: {@code POST /events}
 * refuses such an event, and a row written straight into {@code events_normalized} is skipped as
 * a bad row with {@link #problem}'s reason.
 */
public record EventTimeWindow(Instant now, Duration maxAge, Duration maxAhead) {

  /**
   * The ends of what a date-time can carry through the bus (a text that {@code OffsetDateTime}
   * parses back). PostgreSQL's {@code infinity} and {@code -infinity} arrive as
   * {@code OffsetDateTime.MAX} and {@code MIN}, whose instants lie beyond them.
   */
  public static final Instant LAST = LocalDateTime.MAX.toInstant(ZoneOffset.UTC);
  public static final Instant FIRST = LocalDateTime.MIN.toInstant(ZoneOffset.UTC);

  public Instant earliest() {
    return now.minus(maxAge);
  }

  public Instant latest() {
    return now.plus(maxAhead);
  }

  /**
   * Why {@code occurredAt} is implausible, or null when it is within the window (or missing: a
   * missing time is the required-field check's business). The reason does not contain
   * {@code now}, so the same bad value gives the same reason in every batch (bad rows are logged
   * grouped by reason).
   */
  public String problem(Instant occurredAt) {
    if (occurredAt == null) {
      return null;
    }
    if (occurredAt.isBefore(earliest())) {
      return "occurred_at " + shown(occurredAt) + " is out of range: more than "
        + ConfigKey.formatDuration(maxAge) + " ago (" + ConfigKeys.INGESTION_MAX_EVENT_AGE.path() + ")";
    }
    if (occurredAt.isAfter(latest())) {
      return "occurred_at " + shown(occurredAt) + " is out of range: more than "
        + ConfigKey.formatDuration(maxAhead) + " ahead (" + ConfigKeys.INGESTION_MAX_EVENT_AHEAD.path() + ")";
    }
    return null;
  }

  /** An instant read from the database, within what the bus carries (±infinity at the ends). */
  public static Instant representable(OffsetDateTime time) {
    if (time == null) {
      return null;
    }
    Instant instant = time.toInstant();
    return instant.isAfter(LAST) ? LAST : instant.isBefore(FIRST) ? FIRST : instant;
  }

  private static String shown(Instant instant) {
    return instant.equals(LAST) ? "infinity" : instant.equals(FIRST) ? "-infinity" : instant.toString();
  }

  public JsonObject toJson() {
    return new JsonObject().put("now", now.toString()).put("max_age_ms", maxAge.toMillis())
      .put("max_ahead_ms", maxAhead.toMillis());
  }

  public static EventTimeWindow fromJson(JsonObject json) {
    return new EventTimeWindow(Instant.parse(json.getString("now")), Duration.ofMillis(json.getLong("max_age_ms")),
      Duration.ofMillis(json.getLong("max_ahead_ms")));
  }
}
