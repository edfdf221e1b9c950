package io.carbonnexus.engine.db;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Instants as {@code timestamptz} parameters and back: in UTC, and null stays null (a column that may be empty). */
public final class SqlTime {

  private SqlTime() {
  }

  public static OffsetDateTime at(Instant instant) {
    return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  public static Instant instant(OffsetDateTime at) {
    return at == null ? null : at.toInstant();
  }
}
