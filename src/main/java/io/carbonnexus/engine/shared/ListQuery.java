package io.carbonnexus.engine.shared;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * The filters every list request shares ({@code severity}, {@code entity_type}, {@code entity},
 * {@code since}, {@code limit}), read once and checked: the HTTP contract already refuses bad
 * values, but the bus is an interface of its own.
 */
public record ListQuery(String[] severities, String entityType, String entity, OffsetDateTime since, int limit) {

  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1_000;

  /** Reads the filters; throws {@link IllegalArgumentException} naming the bad one. */
  public static ListQuery of(JsonObject body) {
    Object limitValue = body.getValue("limit");
    int limit = DEFAULT_LIMIT;
    if (limitValue != null) {
      if (!(limitValue instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
        || n.longValue() < 1 || n.longValue() > MAX_LIMIT) {
        throw new IllegalArgumentException("limit must be a whole number from 1 to " + MAX_LIMIT);
      }
      limit = n.intValue();
    }
    OffsetDateTime since = null;
    String sinceText = text(body, "since");
    if (sinceText != null) {
      try {
        since = OffsetDateTime.parse(sinceText);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("since must be an RFC 3339 instant such as 2026-11-27T08:00:00Z");
      }
    }
    String[] severities = null;
    Object severity = body.getValue("severity");
    if (severity != null) {
      JsonArray list = severity instanceof JsonArray a ? a : new JsonArray().add(severity);
      severities = new String[list.size()];
      for (int i = 0; i < list.size(); i++) {
        if (!(list.getValue(i) instanceof String s)) {
          throw new IllegalArgumentException("severity must be info, warn or critical");
        }
        severities[i] = Severity.of(s).wire();
      }
    }
    String entityType = text(body, "entity_type");
    if (entityType != null && EntityType.find(entityType).isEmpty()) {
      throw new IllegalArgumentException("entity_type must be one of " + EntityType.wires());
    }
    return new ListQuery(severities, entityType, text(body, "entity"), since, limit);
  }

  /** A text field, or null when absent; anything but a string is refused. */
  public static String text(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s)) {
      throw new IllegalArgumentException(field + " must be a string");
    }
    return s;
  }

  /**
   * A text field that must be one of {@code allowed} (a list's own filter: an alert's kind, a
   * notification's status), or null when absent; anything else is refused naming the choices.
   */
  public static String oneOf(JsonObject body, String field, List<String> allowed) {
    String value = text(body, field);
    if (value != null && !allowed.contains(value)) {
      throw new IllegalArgumentException(field + " must be " + Words.either(allowed));
    }
    return value;
  }

  /** A whole-number field, or null when absent. */
  public static Long number(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw new IllegalArgumentException(field + " must be a whole number");
    }
    return n.longValue();
  }

  /** A day (its start, UTC) or an RFC 3339 instant under {@code name}; null when absent. */
  public static Instant instant(JsonObject query, String name) {
    String text = text(query, name);
    if (text == null) {
      return null;
    }
    try {
      return text.length() == 10 ? LocalDate.parse(text).atStartOfDay().toInstant(ZoneOffset.UTC)
        : OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(name + ": must be a day such as 2026-01-01 or an RFC 3339 instant such as "
        + "2026-01-01T00:00:00Z");
    }
  }
}
