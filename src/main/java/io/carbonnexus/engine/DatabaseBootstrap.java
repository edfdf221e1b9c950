package io.carbonnexus.engine;

import io.carbonnexus.engine.config.ConfigException;
import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.db.DatabaseUrl;
import io.carbonnexus.engine.db.EmbeddedDatabase;
import io.carbonnexus.engine.db.Migrations;
import io.carbonnexus.engine.prediction.EmissionsBasisSync;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnection;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Gets a node's database ready before any verticle is deployed: the embedded server when
 * {@code db.url} is unset, then a database both clients reach, migrated, with the emissions basis
 * in step with the configuration. Each failure is a {@link StartupException} that says what to check.
 *
 * <p>Starting the embedded server is separate from the rest: the engine does it under its lock
 * against a concurrent close, so that a stop never misses a server.
 */
final class DatabaseBootstrap {

  private static final Logger LOG = LoggerFactory.getLogger(DatabaseBootstrap.class);

  private DatabaseBootstrap() {
  }

  static EmbeddedDatabase startEmbedded(JsonObject config) {
    Path dir = Path.of(ConfigKeys.DB_EMBEDDED_DATA_DIR.get(config));
    try {
      return EmbeddedDatabase.start(dir, ConfigKeys.DB_EMBEDDED_PORT.get(config), Duration.ofSeconds(60));
    } catch (Exception e) {
      throw new StartupException("cannot start the embedded PostgreSQL in " + dir.toAbsolutePath() + ": "
        + StartupException.rootMessage(e) + " (is another engine using this data directory? set NEXUS_DB_EMBEDDED_DATA_DIR "
        + "to use another one, or NEXUS_DB_URL to use an external PostgreSQL)", e);
    }
  }

  /** Checks that the database at {@code url} answers both clients, migrates it and syncs the emissions basis. */
  static void prepare(Vertx vertx, String url, JsonObject config) {
    Duration connectTimeout = ConfigKeys.DB_CONNECT_TIMEOUT.get(config);
    DatabaseUrl db = parseUrl(url);
    checkConnection(db, connectTimeout);
    migrate(db, connectTimeout);
    checkEngineClient(vertx, db);
    EmissionsBasisSync.run(vertx, db.connectOptions(), ConfigKeys.EMISSIONS_BASIS.get(config));
  }

  private static DatabaseUrl parseUrl(String url) {
    try {
      return DatabaseUrl.parse(url);
    } catch (ConfigException e) {
      throw new StartupException("NEXUS_DB_URL / db.url: " + e.getMessage(), e);
    }
  }

  private static void checkConnection(DatabaseUrl db, Duration timeout) {
    LOG.info("Connecting to PostgreSQL at {}", db.describe());
    DriverManager.setLoginTimeout((int) Math.max(1, timeout.toSeconds()));
    try (var c = DriverManager.getConnection(db.jdbcUrl(timeout), db.user(), db.password())) {
      LOG.info("Connected to PostgreSQL {}", c.getMetaData().getDatabaseProductVersion());
    } catch (SQLException e) {
      throw new StartupException("cannot connect to PostgreSQL at " + db.describe() + ": " + e.getMessage()
        + " (check NEXUS_DB_URL)", e);
    }
  }

  /**
   * The verticles use vertx-pg-client, not JDBC: check that it connects too (TLS settings are
   * applied by each client separately), so a node never says "ready" while its verticles cannot
   * reach the database.
   */
  private static void checkEngineClient(Vertx vertx, DatabaseUrl db) {
    try {
      PgConnection connection = PgConnection.connect(vertx, db.connectOptions()).await();
      try {
        connection.query("select 1").execute().await();
      } finally {
        connection.close().await();
      }
    } catch (RuntimeException e) {
      throw new StartupException("PostgreSQL at " + db.describe() + " accepts Flyway's connection but not the engine's: "
        + StartupException.rootMessage(e) + " (check sslmode and sslrootcert in NEXUS_DB_URL)", e);
    }
  }

  private static void migrate(DatabaseUrl db, Duration timeout) {
    try {
      Migrations.migrate(db, timeout);
    } catch (FlywayException e) {
      throw new StartupException("database migration failed on " + db.describe() + ": " + StartupException.rootMessage(e), e);
    }
  }
}
