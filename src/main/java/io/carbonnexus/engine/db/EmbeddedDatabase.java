package io.carbonnexus.engine.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 */
public final class EmbeddedDatabase implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);
  private static final Duration ORPHAN_STOP_WAIT = Duration.ofSeconds(30);

  private final EmbeddedPostgres postgres;
  private final Path dataDirectory;
  private final FileChannel lockChannel;

  private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDirectory, FileChannel lockChannel) {
    this.postgres = postgres;
    this.dataDirectory = dataDirectory;
    this.lockChannel = lockChannel;
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
    try {
      boolean existing = Files.isRegularFile(dir.resolve("PG_VERSION"));
      if (existing) {
        stopOrphan(dir);
      }
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
        .setServerConfig("max_connections", "100")
        // The library's defaults trade durability for speed (fsync off): right for tests, wrong
        // for a user's data that must survive a crash.
        .setServerConfig("fsync", durable ? "on" : "off")
        .setServerConfig("synchronous_commit", durable ? "on" : "off");
      serverConfig.forEach(builder::setServerConfig);
      if (port > 0) {
        builder.setPort(port);
      }
      EmbeddedPostgres postgres = builder.start();
      LOG.info("Embedded PostgreSQL {} ready on 127.0.0.1:{} in {} ms", serverVersion(postgres), postgres.getPort(),
        (System.nanoTime() - t0) / 1_000_000);
      return new EmbeddedDatabase(postgres, dir, lockChannel);
    } catch (IOException | RuntimeException e) {
      lockChannel.close();
      throw e;
    }
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
    try {
      postgres.close();
    } finally {
      lockChannel.close();
    }
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
