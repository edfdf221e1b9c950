package io.carbonnexus.engine.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A real PostgreSQL server run by the engine itself (binaries from a Maven artifact), for the
 * zero-install default. Its data directory is kept across restarts: stopping and starting the
 * engine keeps events, hotspots and alerts.
 *
 * <p>One engine per data directory, enforced by an OS file lock beside it ({@code <dir>.lock}),
 * which the OS releases even when the engine is killed. Holding that lock and finding a server
 * still running on the directory therefore means an engine died without stopping it: that
 * orphan is stopped before a new server starts.
 *
 * <p>No connection gets in without a password, over TCP or the Unix socket: a data directory's
 * first start makes a random password, keeps it in {@value #PASSWORD_FILE} inside the directory
 * (owner-only, like the rest of it) and gives it to initdb, whose {@code pg_hba.conf} is then
 * replaced by {@link #PG_HBA}. A directory made by an older engine (every local connection
 * trusted as superuser, no password file) gets a password and the same rules on its next start,
 * its data kept.
 */
public final class EmbeddedDatabase implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);
  private static final Duration ORPHAN_STOP_WAIT = Duration.ofSeconds(30);
  /** How long a reloaded {@code pg_hba.conf} may take to reach the server's new connections. */
  private static final Duration RELOAD_WAIT = Duration.ofSeconds(10);

  /** The file in the data directory that holds the superuser's password. */
  public static final String PASSWORD_FILE = "nexus-password";
  private static final String SUPERUSER = "postgres";
  private static final String PASSWORD_METHOD = "scram-sha-256";
  private static final String RELOAD_CONFIGURATION = "select pg_reload_conf()";

  /**
   * The only client authentication rules of an embedded server: the password, as a SCRAM
   * exchange (never sent in clear, not replayable), for every kind of connection the server
   * takes. It listens on 127.0.0.1 only; the IPv6 and replication lines keep a change of
   * {@code listen_addresses} or a replica from opening a way in without one.
   */
  static final String PG_HBA = """
    # Written by the Carbon Nexus engine, which puts these rules back at its next start if they
    # change: every connection needs the password kept in nexus-password, beside this file.
    # TYPE  DATABASE     USER  ADDRESS       METHOD
    local   all          all                 scram-sha-256
    host    all          all   127.0.0.1/32  scram-sha-256
    host    all          all   ::1/128       scram-sha-256
    local   replication  all                 scram-sha-256
    host    replication  all   127.0.0.1/32  scram-sha-256
    host    replication  all   ::1/128       scram-sha-256
    """;

  private final EmbeddedPostgres postgres;
  private final Path dataDirectory;
  private final FileChannel lockChannel;
  private final String password;

  private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDirectory, FileChannel lockChannel, String password) {
    this.postgres = postgres;
    this.dataDirectory = dataDirectory;
    this.lockChannel = lockChannel;
    this.password = password;
  }

  /** A durable server (fsync on): what the engine runs for its users. */
  public static EmbeddedDatabase start(Path dataDirectory, int port, Duration startupWait) throws IOException {
    return start(dataDirectory, port, startupWait, true, Map.of());
  }

  /**
   * @param port 0 for any free port
   * @param durable false turns fsync off: faster, for throw-away test and benchmark databases only
   * @param serverConfig extra {@code postgresql.conf} settings (e.g. TLS for tests)
   */
  public static EmbeddedDatabase start(Path dataDirectory, int port, Duration startupWait, boolean durable,
                                       Map<String, String> serverConfig) throws IOException {
    Path dir = dataDirectory.toAbsolutePath().normalize();
    Files.createDirectories(dir.getParent());
    FileChannel lockChannel = lock(dir);
    Path initdbPasswordFile = dir.resolveSibling("." + dir.getFileName() + ".initdb-password");
    try {
      boolean existing = Files.isRegularFile(dir.resolve("PG_VERSION"));
      if (existing) {
        stopOrphan(dir);
      }
      Files.createDirectories(dir);
      // The library runs initdb when postgresql.conf is missing: that is what "new" means here.
      boolean fresh = !Files.isRegularFile(dir.resolve("postgresql.conf"));
      Path passwordFile = dir.resolve(PASSWORD_FILE);
      boolean upgrade = !fresh && !PG_HBA.equals(readIfExists(dir.resolve("pg_hba.conf")));
      String password = fresh ? OwnerOnlyFiles.newPassword() : existingPassword(dir, passwordFile, upgrade);
      LOG.info("Starting embedded PostgreSQL, data directory {} ({})", dir, existing ? "existing data" : "new");
      long t0 = System.nanoTime();
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
        .setDataDirectory(dir)
        .setCleanDataDirectory(false)
        .setPGStartupWait(startupWait)
        // The engine stops the server itself, in order, after the pool is closed.
        .setRegisterShutdownHook(false)
        .setServerConfig("listen_addresses", "127.0.0.1")
        .setServerConfig("max_connections", "100")
        // The library's defaults trade durability for speed (fsync off): right for tests, wrong
        // for a user's data that must survive a crash.
        .setServerConfig("fsync", durable ? "on" : "off")
        .setServerConfig("synchronous_commit", durable ? "on" : "off")
        // The library's own readiness check connects as the superuser: with the password.
        .setConnectConfig("password", password);
      if (fresh) {
        // The library's initdb arguments say "-A trust"; its "locale" settings are appended as
        // --key=value and win. The password reaches initdb in a file, never on a command line.
        OwnerOnlyFiles.write(initdbPasswordFile, password);
        builder.setLocaleConfig("auth", PASSWORD_METHOD)
          .setLocaleConfig("pwfile", initdbPasswordFile.toString())
          // Runs after initdb, before the server starts: the server never runs with initdb's rules.
          .setDataDirectoryCustomizer(created -> {
            try {
              OwnerOnlyFiles.write(passwordFile, password);
              OwnerOnlyFiles.write(dir.resolve("pg_hba.conf"), PG_HBA);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
      }
      serverConfig.forEach(builder::setServerConfig);
      if (port > 0) {
        builder.setPort(port);
      }
      EmbeddedPostgres postgres = builder.start();
      if (fresh) {
        LOG.info("The embedded PostgreSQL asks every connection for the password kept in {}", passwordFile);
      }
      try {
        if (upgrade) {
          requirePassword(postgres, dir, password);
          LOG.info("The embedded PostgreSQL now asks every connection for the password kept in {}", passwordFile);
        }
      } catch (IOException | RuntimeException e) {
        postgres.close();
        throw e;
      }
      LOG.info("Embedded PostgreSQL {} ready on 127.0.0.1:{} in {} ms", serverVersion(postgres), postgres.getPort(),
        (System.nanoTime() - t0) / 1_000_000);
      return new EmbeddedDatabase(postgres, dir, lockChannel, password);
    } catch (UncheckedIOException e) {
      lockChannel.close();
      throw e.getCause();
    } catch (IOException | RuntimeException e) {
      lockChannel.close();
      throw e;
    } finally {
      Files.deleteIfExists(initdbPasswordFile);
    }
  }

  /**
   * The URL of the embedded server that another process (a cluster node, a test) started on
   * {@code dataDirectory} and {@code port}: the same as that process's {@link #url()}.
   */
  public static String url(Path dataDirectory, int port) throws IOException {
    return url(port, OwnerOnlyFiles.readPassword(dataDirectory.resolve(PASSWORD_FILE)));
  }

  public int port() {
    return postgres.getPort();
  }

  public Path dataDirectory() {
    return dataDirectory;
  }

  /**
   * The server's URL in the same form a user would configure for an external database, password
   * included: log {@link DatabaseUrl#describe()} of it, never the URL itself.
   */
  public String url() {
    return url(postgres.getPort(), password);
  }

  private static String url(int port, String password) {
    return "postgresql://" + SUPERUSER + ":" + URLEncoder.encode(password, StandardCharsets.UTF_8).replace("+", "%20")
      + "@127.0.0.1:" + port + "/postgres";
  }

  @Override
  public void close() throws IOException {
    LOG.info("Stopping embedded PostgreSQL");
    try {
      postgres.close();
    } finally {
      lockChannel.close();
    }
  }

  /**
   * The password of a directory that has already been initialised. One made by an older engine
   * has no password file: it gets one now, and {@link #requirePassword} gives the password to the
   * server once it runs (with the directory's old rules, which let the engine in without one).
   */
  private static String existingPassword(Path dir, Path passwordFile, boolean upgrade) throws IOException {
    if (Files.isRegularFile(passwordFile)) {
      return OwnerOnlyFiles.readPassword(passwordFile);
    }
    if (!upgrade) {
      throw new IOException("the password file " + passwordFile + " is missing, and the PostgreSQL server in " + dir
        + " asks for the password it held: put the file back (a backup of the data directory has it)");
    }
    LOG.warn("The embedded PostgreSQL in {} lets every local connection in without a password: making one, kept in {}",
      dir, passwordFile);
    String password = OwnerOnlyFiles.newPassword();
    OwnerOnlyFiles.write(passwordFile, password);
    return password;
  }

  /**
   * Sets the superuser's password, then replaces the directory's rules by {@link #PG_HBA} and
   * reloads them, in that order: a crash between two steps leaves a directory that the next start
   * finishes, never one whose rules ask for a password the server does not have.
   */
  private static void requirePassword(EmbeddedPostgres postgres, Path dir, String password) throws IOException {
    try (Connection c = postgres.getPostgresDatabase().getConnection()) {
      // pgjdbc computes the SCRAM verifier itself: the password never reaches the server, nor its logs.
      c.unwrap(PGConnection.class).alterUserPassword(SUPERUSER, password.toCharArray(), PASSWORD_METHOD);
      OwnerOnlyFiles.write(dir.resolve("pg_hba.conf"), PG_HBA);
      try (Statement st = c.createStatement()) {
        st.execute(RELOAD_CONFIGURATION);
      }
    } catch (SQLException e) {
      throw new IOException("cannot give the embedded PostgreSQL in " + dir + " its password: " + e.getMessage(), e);
    }
    awaitPasswordRequired(postgres.getPort());
  }

  /** A reload is a signal the server handles when it gets to it: wait until it refuses the old way in. */
  private static void awaitPasswordRequired(int port) throws IOException {
    String jdbcUrl = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    long deadline = System.nanoTime() + RELOAD_WAIT.toNanos();
    while (true) {
      try (Connection ignored = DriverManager.getConnection(jdbcUrl, SUPERUSER, null)) {
        // Let in without a password: the old rules still apply.
      } catch (SQLException refused) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("PostgreSQL still lets connections in without a password " + RELOAD_WAIT.toSeconds()
          + " s after reloading pg_hba.conf");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for PostgreSQL to reload pg_hba.conf", e);
      }
    }
  }

  private static String readIfExists(Path file) throws IOException {
    return Files.isRegularFile(file) ? Files.readString(file) : null;
  }

  private static FileChannel lock(Path dir) throws IOException {
    Path lockFile = dir.resolveSibling(dir.getFileName() + ".lock");
    FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      throw new IOException("another engine is running on the data directory " + dir);
    }
    return channel;
  }

  private static void stopOrphan(Path dir) throws IOException {
    Optional<ProcessHandle> orphan = runningServer(dir);
    if (orphan.isEmpty()) {
      return;
    }
    ProcessHandle server = orphan.get();
    LOG.warn("Stopping PostgreSQL (pid {}) left running on {} by an engine that did not stop cleanly", server.pid(), dir);
    server.destroy();
    try {
      server.onExit().get(ORPHAN_STOP_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IOException("PostgreSQL (pid " + server.pid() + ") left running on " + dir
        + " did not stop within " + ORPHAN_STOP_WAIT.toSeconds() + " s; stop it and start again");
    }
  }

  /** The server process named by postmaster.pid, if it is alive and is a PostgreSQL server. */
  private static Optional<ProcessHandle> runningServer(Path dir) throws IOException {
    Path pidFile = dir.resolve("postmaster.pid");
    if (!Files.isRegularFile(pidFile)) {
      return Optional.empty();
    }
    String first = Files.readAllLines(pidFile).stream().findFirst().orElse("").trim();
    long pid;
    try {
      pid = Long.parseLong(first);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid)
      .filter(ProcessHandle::isAlive)
      .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
  }

  private static String serverVersion(EmbeddedPostgres postgres) {
    try (var c = postgres.getPostgresDatabase().getConnection()) {
      return c.getMetaData().getDatabaseProductVersion();
    } catch (Exception e) {
      return "(version unknown)";
    }
  }
}
