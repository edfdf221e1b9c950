package io.carbonnexus.engine.report;

import io.carbonnexus.engine.shared.EntityType;
import io.carbonnexus.engine.shared.ListQuery;
import io.carbonnexus.engine.shared.Words;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code GET /reports/emissions} asks for, read and checked: the range [from, to), the
 * column rows are grouped by, the calendar period (UTC) and the format. The HTTP contract already
 * refuses most bad values; the bus is an interface of its own, so every rule is checked here again
 * and each refusal names its parameter.
 *
 * <p>Without {@code from} and {@code to} the report covers the last 12 calendar months, the current
 * one included: what a yearly Scope 3 category 4/9 report is made from.
 *
 * <p>With {@code entity_type} and {@code entity} the report covers that entity's predictions only:
 * a supplier's routes and vehicle types, a route's suppliers (the dashboard's entity page).
 */
record ReportRequest(Instant from, Instant to, EntityType group, Period period, Format format, EntityType filterType,
                     String filterEntity) {

  /** The longest range one report may cover: bounds the predictions a single request scans. */
  static final Duration MAX_RANGE = Duration.ofDays(1_096);
  /** Daily rows are for a closer look: at most a year of them per report. */
  static final Duration MAX_DAILY_RANGE = Duration.ofDays(366);

  /** Calendar periods in UTC; weeks start on Monday (ISO 8601), as PostgreSQL's date_trunc has them. */
  enum Period {
    DAY, WEEK, MONTH;

    String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The period's label: 2026-03 for a month, the first day for a day or a week. */
    String label(Instant start) {
      LocalDate day = start.atOffset(ZoneOffset.UTC).toLocalDate();
      return this == MONTH ? YearMonth.from(day).toString() : day.toString();
    }
  }

  enum Format {
    JSON, CSV
  }

  static ReportRequest parse(JsonObject query, Instant now) {
    // Rows are grouped by an entity type's column of predictions; its wire name is the SQL's choice too.
    EntityType group = choice(query, "group", EntityType.class, EntityType.SUPPLIER);
    Period period = choice(query, "period", Period.class, Period.MONTH);
    Format format = choice(query, "format", Format.class, Format.JSON);
    Instant from = ListQuery.instant(query, "from");
    Instant to = ListQuery.instant(query, "to");
    if (from == null && to == null) {
      YearMonth current = YearMonth.from(now.atOffset(ZoneOffset.UTC));
      from = current.minusMonths(11).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
      to = current.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    } else if (from == null || to == null) {
      throw new IllegalArgumentException((from == null ? "from" : "to")
        + ": give both from and to, or neither (the last 12 calendar months)");
    }
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException("to: must be after from");
    }
    Duration range = Duration.between(from, to);
    if (range.compareTo(MAX_RANGE) > 0) {
      throw new IllegalArgumentException("to: at most " + MAX_RANGE.toDays() + " days per report: split the range");
    }
    if (period == Period.DAY && range.compareTo(MAX_DAILY_RANGE) > 0) {
      throw new IllegalArgumentException("period: day covers at most " + MAX_DAILY_RANGE.toDays()
        + " days per report: use week or month, or split the range");
    }
    EntityType filterType = choice(query, "entity_type", EntityType.class, null);
    String filterEntity = ListQuery.text(query, "entity");
    if ((filterType == null) != (filterEntity == null)) {
      throw new IllegalArgumentException((filterType == null ? "entity_type" : "entity")
        + ": give entity_type and entity together, or neither (every entity)");
    }
    return new ReportRequest(from, to, group, period, format, filterType, filterEntity);
  }

  private static <E extends Enum<E>> E choice(JsonObject query, String name, Class<E> type, E otherwise) {
    String text = ListQuery.text(query, name);
    if (text == null) {
      return otherwise;
    }
    for (E value : type.getEnumConstants()) {
      if (value.name().equalsIgnoreCase(text)) {
        return value;
      }
    }
    List<String> allowed = new ArrayList<>();
    for (E value : type.getEnumConstants()) {
      allowed.add(value.name().toLowerCase(Locale.ROOT));
    }
    throw new IllegalArgumentException(name + ": must be " + Words.either(allowed));
  }

}
