package io.carbonnexus.engine;

import io.carbonnexus.engine.support.TempDirs;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Starts the engine as a user does, in a JVM of its own, and checks what the user sees when
 * start-up cannot succeed: one readable line, no stack trace, a non-zero exit status.
 */
class StartupFailureIT {

  private record Run(int exitCode, String output) {
  }

  private static Run runMain(Map<String, String> env, String... args) throws IOException, InterruptedException {
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>(List.of(
      Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classpath, Main.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("NEXUS_"));
    pb.environment().putAll(env);
    Process process = pb.start();
    boolean exited = process.waitFor(60, TimeUnit.SECONDS);
    if (!exited) {
      process.destroyForcibly();
      throw new AssertionError("the engine did not exit within 60 s");
    }
    return new Run(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void anUnreachableDatabaseUrlExitsNonZeroWithOneClearLine() throws Exception {
    int closedPort = TempDirs.freePort();
    Run run = runMain(Map.of(
      "NEXUS_DB_URL", "postgresql://nexus:hunter2@127.0.0.1:" + closedPort + "/carbon",
      "NEXUS_HTTP_PORT", String.valueOf(TempDirs.freePort())));
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.output())
      .contains("Start-up failed: cannot connect to PostgreSQL at 127.0.0.1:" + closedPort + "/carbon as nexus")
      .contains("check NEXUS_DB_URL")
      .doesNotContain("\tat ")
      .doesNotContain("hunter2");
  }

  @Test
  void aDatabaseUrlThatIsNotPostgresqlExitsNonZeroAndSaysWhatIsExpected() throws Exception {
    Run run = runMain(Map.of("NEXUS_DB_URL", "mysql://root@127.0.0.1/carbon"));
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.output())
      .contains("NEXUS_DB_URL")
      .contains("is not a PostgreSQL URL: expected postgresql://user:password@host:5432/database")
      .doesNotContain("\tat ");
  }

  @Test
  void aBadSettingExitsNonZeroNamingTheVariable() throws Exception {
    Run run = runMain(Map.of("NEXUS_HTTP_PORT", "eighty"));
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.output())
      .contains("configuration error")
      .contains("NEXUS_HTTP_PORT: 'eighty' is not an integer")
      .doesNotContain("\tat ");
  }

  @Test
  void anUnknownArgumentExitsWithUsage() throws Exception {
    Run run = runMain(Map.of(), "--frobnicate");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.output()).contains("unknown argument: --frobnicate").contains("usage:");
  }
}
