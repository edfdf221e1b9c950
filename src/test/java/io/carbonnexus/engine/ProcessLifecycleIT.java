package io.carbonnexus.engine;

import io.carbonnexus.engine.db.EmbeddedDatabase;
import io.carbonnexus.engine.support.Http;
import io.carbonnexus.engine.support.TempDirs;
import io.carbonnexus.engine.support.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine as a user runs it, one JVM per engine, stopped the ways users stop things: a polite
 * SIGTERM (what Ctrl-C and docker stop send), even in the middle of start-up, and a kill -9.
 * Nothing may be left running, and the next start on the same data must work.
 */
class ProcessLifecycleIT {

  private final List<Process> started = new ArrayList<>();

  /**
   * A running engine process. Its output goes to a file: a pipe read by a thread loses what the
   * process writes last (the JDK closes the stream under the reader when the process exits), and
   * the last lines are the shutdown's.
   */
  private static final class EngineProcess {
    final Process process;
    final Path log;

    EngineProcess(Process process, Path log) {
      this.process = process;
      this.log = log;
    }

    String output() {
      try {
        return Files.readString(log);
      } catch (IOException e) {
        return "";
      }
    }

    void waitForOutput(String text, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!output().contains(text)) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("no '" + text + "' within " + timeout + "; output:\n" + output());
        }
        if (!process.isAlive()) {
          Thread.sleep(200);
          if (!output().contains(text)) {
            throw new AssertionError("the engine exited before '" + text + "'; output:\n" + output());
          }
        }
        Thread.sleep(20);
      }
    }

    int waitForExit() throws InterruptedException {
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("engine exited; output:\n%s", output()).isTrue();
      return process.exitValue();
    }
  }

  private EngineProcess startEngine(Path dataDir, int httpPort) throws IOException {
    return startEngine(dataDir, httpPort, Map.of());
  }

  private EngineProcess startEngine(Path dataDir, int httpPort, Map<String, String> env) throws IOException {
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-Dlogback.configurationFile=" + Path.of("src/main/resources/logback.xml").toAbsolutePath(),
      "-cp", classpath, Main.class.getName()).redirectErrorStream(true);
    Path log = Files.createTempFile(dataDir.getParent(), "engine", ".log");
    pb.redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("NEXUS_"));
    pb.environment().putAll(Map.of(
      "NEXUS_DB_EMBEDDED_DATA_DIR", dataDir.toString(),
      "NEXUS_HTTP_PORT", String.valueOf(httpPort),
      "NEXUS_DEMO", "false"));
    pb.environment().putAll(env);
    Process p = pb.start();
    started.add(p);
    return new EngineProcess(p, log);
  }

  @AfterEach
  void killLeftovers() {
    started.forEach(Process::destroyForcibly);
  }

  /** The PostgreSQL server still running on this data directory, if any. */
  private static boolean serverRunningOn(Path dataDir) throws IOException {
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return false;
    }
    long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  @Test
  void sigtermDuringStartUpStopsTheEmbeddedDatabaseToo(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("pg");
    EngineProcess engine = startEngine(data, TempDirs.freePort());
    engine.waitForOutput("Starting embedded PostgreSQL", Duration.ofSeconds(60));
    engine.process.destroy();
    engine.waitForExit();
    assertThat(serverRunningOn(data)).as("PostgreSQL left running; output:\n%s", engine.output()).isFalse();
  }

  @Test
  void sigtermAfterStartUpStopsEverythingCleanly(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("pg");
    int port = TempDirs.freePort();
    EngineProcess engine = startEngine(data, port);
    engine.waitForOutput("Carbon Nexus engine is ready", Duration.ofSeconds(90));
    assertThat(Http.get(port, "/health").status()).isEqualTo(200);
    engine.process.destroy();
    int exit = engine.waitForExit();
    assertThat(engine.output()).as("exit %d", exit).contains("Shutting down").contains("Stopping embedded PostgreSQL").contains("Stopped");
    assertThat(serverRunningOn(data)).isFalse();
  }

  @Test
  void theEmbeddedDatabasesPasswordStaysInItsFileAndOutOfTheLog(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("pg");
    EngineProcess engine = startEngine(data, TempDirs.freePort());
    engine.waitForOutput("Carbon Nexus engine is ready", Duration.ofSeconds(90));
    String password = Files.readString(data.resolve(EmbeddedDatabase.PASSWORD_FILE)).strip();
    engine.process.destroy();
    engine.waitForExit();
    assertThat(password).isNotBlank();
    assertThat(engine.output()).contains(EmbeddedDatabase.PASSWORD_FILE).doesNotContain(password);
  }

  @Test
  void anEngineKilledWithoutWarningIsCleanedUpByTheNextStart(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("pg");
    int port = TempDirs.freePort();
    EngineProcess first = startEngine(data, port);
    first.waitForOutput("Carbon Nexus engine is ready", Duration.ofSeconds(90));
    first.process.destroyForcibly();
    first.waitForExit();
    assertThat(serverRunningOn(data)).as("kill -9 leaves the server behind").isTrue();

    EngineProcess second = startEngine(data, port);
    second.waitForOutput("Carbon Nexus engine is ready", Duration.ofSeconds(90));
    assertThat(second.output()).contains("left running on").contains("by an engine that did not stop cleanly");
    assertThat(Http.get(port, "/health").status()).isEqualTo(200);
    second.process.destroy();
    second.waitForExit();
    assertThat(serverRunningOn(data)).isFalse();
  }

  @Test
  void anEngineKilledInTheMiddleOfABacklogSkipsAndDoublesNothingAfterARestart(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("pg");
    int port = TempDirs.freePort();
    int pgPort = TempDirs.freePort();
    Map<String, String> env = Map.of("NEXUS_DB_EMBEDDED_PORT", String.valueOf(pgPort), "NEXUS_INGESTION_BATCH_SIZE", "500");
    EngineProcess first = startEngine(data, port, env);
    first.waitForOutput("Carbon Nexus engine is ready", Duration.ofSeconds(90));
    String db = EmbeddedDatabase.url(data, pgPort);
    int events = 20_000;
    TestDatabase.execute(db, "insert into events_normalized (occurred_at, supplier, route, vehicle_type, distance_km,"
      + " load_tonnes) select now() - make_interval(secs => g), 'Killed-' || (g % 3), 'R1',"
      + " case when g % 1000 = 0 then 'zeppelin' else 'hgv' end, 100, 10 from generate_series(1, " + events + ") g");
    TestDatabase.waitFor("part of the backlog", () -> TestDatabase.queryLong(db, "select count(*) from predictions") > 2_000,
      Duration.ofSeconds(60));
    first.process.destroyForcibly();
    first.waitForExit();
    long atKill = TestDatabase.queryLong(db, "select count(*) from predictions");

    EngineProcess second = startEngine(data, port, env);
    second.waitForOutput("Carbon Nexus engine is ready", Duration.ofSeconds(90));
    TestDatabase.waitFor("the backlog drained", () -> TestDatabase.queryLong(db, "select count(*) from predictions")
      + TestDatabase.queryLong(db, "select count(*) from prediction_errors") == events, Duration.ofSeconds(90));
    long bad = events / 1000;
    System.out.printf("kill -9 with a backlog: %d of %d predicted at the kill; after the restart %d predicted,"
      + " %d skipped, 0 lost%n", atKill, events, TestDatabase.queryLong(db, "select count(*) from predictions"),
      TestDatabase.queryLong(db, "select count(*) from prediction_errors"));
    assertThat(atKill).isLessThan(events - bad);
    assertThat(TestDatabase.queryLong(db, "select count(*) from predictions")).isEqualTo(events - bad);
    assertThat(TestDatabase.queryLong(db, "select count(*) from prediction_errors")).isEqualTo(bad);
    // The rollups count each prediction once: a batch cut off by the kill was rolled back whole.
    assertThat(TestDatabase.queryLong(db, "select sum(events) from entity_minute_totals where entity_type = 'supplier'"))
      .isEqualTo(events - bad);
    second.process.destroy();
    second.waitForExit();
  }

  @Test
  void aSecondEngineOnTheSameDataDirectoryFailsFastAndSaysWhy(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("pg");
    EngineProcess first = startEngine(data, TempDirs.freePort());
    first.waitForOutput("Carbon Nexus engine is ready", Duration.ofSeconds(90));

    EngineProcess second = startEngine(data, TempDirs.freePort());
    assertThat(second.waitForExit()).isEqualTo(1);
    assertThat(second.output()).contains("another engine is running on the data directory").doesNotContain("\tat ");
    assertThat(first.process.isAlive()).isTrue();
    first.process.destroy();
    first.waitForExit();
  }
}
