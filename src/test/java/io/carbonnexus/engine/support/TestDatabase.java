package io.carbonnexus.engine.support;

import io.carbonnexus.engine.db.DatabaseUrl;
import io.carbonnexus.engine.db.EmbeddedDatabase;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL for the whole test JVM: the embedded one by default, or the server named by
 * {@code NEXUS_TEST_DB_URL} (its role needs CREATEDB). Each test that needs a clean schema asks for
 * a fresh database of its own, so tests never see each other's rows.
 */
public final class TestDatabase {

  public static final String EXTERNAL_URL_ENV = "NEXUS_TEST_DB_URL";

  private static TestDatabase instance;

  private final String adminUrl;
  private final AtomicInteger counter = new AtomicInteger();
  private final java.util.List<String> created = new java.util.concurrent.CopyOnWriteArrayList<>();

  private TestDatabase(String adminUrl) {
    this.adminUrl = adminUrl;
  }

  public static synchronized TestDatabase get() {
    if (instance == null) {
      String external = System.getenv(EXTERNAL_URL_ENV);
      if (external != null && !external.isBlank()) {
        TestDatabase db = new TestDatabase(external.trim());
        Runtime.getRuntime().addShutdownHook(new Thread(db::dropCreated));
        instance = db;
      } else {
        instance = new TestDatabase(startEmbedded());
      }
    }
    return instance;
  }

  /** Creates an empty database and returns its {@code postgresql://} URL. */
  public String createDatabase() {
    String name = "nexus_t" + ProcessHandle.current().pid() + "_" + counter.incrementAndGet();
    execute(adminUrl, "drop database if exists " + name);
    execute(adminUrl, "create database " + name);
    created.add(name);
    return withDatabase(adminUrl, name);
  }

  /** On an external server, leave nothing behind. */
  private void dropCreated() {
    for (String name : created) {
      try {
        execute(adminUrl, "drop database if exists " + name + " with (force)");
      } catch (RuntimeException ignored) {
        // best effort at JVM exit
      }
    }
  }

  /** Runs one statement through JDBC, for test set-up and assertions outside Vert.x. */
  public static void execute(String url, String sql) {
    try (Connection c = connect(url); var st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** The first column of the first row of {@code sql}, as a number: counts and flags. */
  public static long queryLong(String url, String sql) {
    Object value = queryValue(url, sql);
    return value == null ? 0 : ((Number) value).longValue();
  }

  public static double queryDouble(String url, String sql) {
    Object value = queryValue(url, sql);
    return value == null ? 0 : ((Number) value).doubleValue();
  }

  public static String queryString(String url, String sql) {
    Object value = queryValue(url, sql);
    return value == null ? null : value.toString();
  }

  /** The first column of the first row of {@code sql}, null when there is no row or it is null. */
  public static Object queryValue(String url, String sql) {
    try (Connection c = connect(url); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getObject(1) : null;
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** Polls until {@code condition} holds; fails the test after {@code timeout}. */
  public static void waitFor(String what, java.util.function.BooleanSupplier condition, Duration timeout)
    throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + timeout);
      }
      Thread.sleep(50);
    }
  }

  public static Connection connect(String url) throws SQLException {
    DatabaseUrl db = DatabaseUrl.parse(url);
    return DriverManager.getConnection(db.jdbcUrl(Duration.ofSeconds(10)), db.user(), db.password());
  }

  static String withDatabase(String url, String database) {
    URI uri = URI.create(url);
    return uri.getScheme() + "://" + uri.getRawAuthority() + "/" + database
      + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
  }

  private static String startEmbedded() {
    try {
      Path dir = Files.createTempDirectory("nexus-test-pg");
      EmbeddedDatabase db = EmbeddedDatabase.start(dir.resolve("pg"), 0, Duration.ofSeconds(60), false, java.util.Map.of());
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          db.close();
          TempDirs.deleteRecursively(dir);
        } catch (Exception ignored) {
          // the JVM is exiting; a leftover temp directory is harmless
        }
      }));
      return db.url();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the embedded PostgreSQL for tests: " + e.getMessage(), e);
    }
  }
}
