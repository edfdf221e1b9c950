package io.carbonnexus.engine.ingestion;

/**
 * The ingestion verticle's read of new events, for the HTTP benchmark's diagnosis: it runs beside
 * every read the API serves (at every poll and every NOTIFY). The query stays package-private in
 * the engine.
 */
public final class IngestionQueriesForBench {

  public static final String NEXT_EVENTS = IngestionSql.NEXT_EVENTS;

  private IngestionQueriesForBench() {
  }
}
