package io.carbonnexus.engine.db;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Brings the schema to the version this build expects, with Flyway and the SQL files under
 * {@code src/main/resources/db/migration}. Flyway takes a PostgreSQL advisory lock, so engines
 * starting together against one database migrate once.
 */
public final class Migrations {

  /**
   * Our own history table: the database is shared with other teams (data-core writes
   * {@code events_normalized}), who may run Flyway with its default table name.
   */
  public static final String HISTORY_TABLE = "nexus_schema_history";

  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {
  }

  /** Applies pending migrations; returns how many ran (0 when the schema is current). */
  public static int migrate(DatabaseUrl db, Duration connectTimeout) {
    Flyway flyway = Flyway.configure()
      .dataSource(db.jdbcUrl(connectTimeout), db.user(), db.password())
      .locations("classpath:db/migration")
      .table(HISTORY_TABLE)
      // A database where data-core already created its tables is "non-empty" for Flyway;
      // baseline at 0 so that V1 still runs (it creates only what is missing).
      .baselineOnMigrate(true)
      .baselineVersion("0")
      .load();
    MigrateResult result = flyway.migrate();
    if (result.migrationsExecuted > 0) {
      LOG.info("Database schema migrated from version {} to {} ({} migrations)",
        result.initialSchemaVersion == null ? "none" : result.initialSchemaVersion, result.targetSchemaVersion,
        result.migrationsExecuted);
    } else {
      LOG.info("Database schema is current (version {})", result.initialSchemaVersion);
    }
    return result.migrationsExecuted;
  }
}
