package io.carbonnexus.engine.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real PostgreSQL server run by the engine itself (binaries from a Maven artifact), for the
 * zero-install default. Its data directory is kept across restarts: stopping and starting the
 * engine keeps events, hotspots and alerts.
 */
public final class EmbeddedDatabase implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);

  private final EmbeddedPostgres postgres;
  private final Path dataDirectory;

  private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDirectory) {
    this.postgres = postgres;
    this.dataDirectory = dataDirectory;
  }

  /**
   * Starts PostgreSQL on 127.0.0.1 over {@code dataDirectory}, creating it on first use.
   *
   * @param port 0 for any free port
   */
  public static EmbeddedDatabase start(Path dataDirectory, int port, Duration startupWait) throws IOException {
    Path dir = dataDirectory.toAbsolutePath().normalize();
    boolean existing = Files.isRegularFile(dir.resolve("PG_VERSION"));
    Files.createDirectories(dir);
    LOG.info("Starting embedded PostgreSQL, data directory {} ({})", dir, existing ? "existing data" : "new");
    long t0 = System.nanoTime();
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
      .setDataDirectory(dir)
      .setCleanDataDirectory(false)
      .setPGStartupWait(startupWait)
      // The engine stops the server itself, in order, after the pool is closed.
      .setRegisterShutdownHook(false)
      .setServerConfig("listen_addresses", "127.0.0.1")
      .setServerConfig("max_connections", "100");
    if (port > 0) {
      builder.setPort(port);
    }
    EmbeddedPostgres postgres = builder.start();
    LOG.info("Embedded PostgreSQL {} ready on 127.0.0.1:{} in {} ms", serverVersion(postgres), postgres.getPort(),
      (System.nanoTime() - t0) / 1_000_000);
    return new EmbeddedDatabase(postgres, dir);
  }

  public int port() {
    return postgres.getPort();
  }

  public Path dataDirectory() {
    return dataDirectory;
  }

  /** The server's URL in the same form a user would configure for an external database. */
  public String url() {
    return "postgresql://postgres@127.0.0.1:" + postgres.getPort() + "/postgres";
  }

  @Override
  public void close() throws IOException {
    LOG.info("Stopping embedded PostgreSQL");
    postgres.close();
  }

  private static String serverVersion(EmbeddedPostgres postgres) {
    try (var c = postgres.getPostgresDatabase().getConnection()) {
      return c.getMetaData().getDatabaseProductVersion();
    } catch (Exception e) {
      return "(version unknown)";
    }
  }
}
