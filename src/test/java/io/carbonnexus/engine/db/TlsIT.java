package io.carbonnexus.engine.db;

import io.carbonnexus.engine.Engine;
import io.carbonnexus.engine.StartupException;
import io.carbonnexus.engine.support.Http;
import io.carbonnexus.engine.support.TempDirs;
import io.carbonnexus.engine.support.TestDatabase;
import io.carbonnexus.engine.support.TestEngine;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * TLS as Supabase uses it ({@code sslmode=require}), and the verifying modes, against a real
 * PostgreSQL with TLS on and a certificate made for the test (by the openssl command).
 */
class TlsIT {

  private static Path dir;
  private static EmbeddedDatabase server;
  private static Path certificate;
  private static Vertx vertx;

  @BeforeAll
  static void startTlsServer() throws Exception {
    dir = Files.createTempDirectory("nexus-tls");
    certificate = dir.resolve("server.crt");
    Path key = dir.resolve("server.key");
    Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
      "-keyout", key.toString(), "-out", certificate.toString(), "-days", "2",
      "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1")
      .redirectErrorStream(true).start();
    String output = new String(openssl.getInputStream().readAllBytes());
    assertThat(openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0).as("openssl: %s", output).isTrue();
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    server = EmbeddedDatabase.start(dir.resolve("pg"), 0, Duration.ofSeconds(60), false, Map.of(
      "ssl", "on", "ssl_cert_file", certificate.toString(), "ssl_key_file", key.toString()));
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await();
    server.close();
    TempDirs.deleteRecursively(dir);
  }

  private static boolean connectedOverTls(String url) {
    PgConnection c = PgConnection.connect(vertx, DatabaseUrl.parse(url).connectOptions()).await();
    try {
      return c.query("select ssl from pg_stat_ssl where pid = pg_backend_pid()").execute().await()
        .iterator().next().getBoolean(0);
    } finally {
      c.close().await();
    }
  }

  /** The server's own URL (its password included), reached by another host name. */
  private static String base(String host) {
    return server.url().replace("@127.0.0.1:", "@" + host + ":");
  }

  @Test
  void requireEncryptsTheEnginesConnections() {
    assertThat(connectedOverTls(base("127.0.0.1") + "?sslmode=require")).isTrue();
  }

  @Test
  void verifyFullChecksTheCertificateAndTheHostName() {
    assertThat(connectedOverTls(base("127.0.0.1") + "?sslmode=verify-full&sslrootcert=" + certificate)).isTrue();
    // The certificate names 127.0.0.1, not localhost: verification must refuse it.
    assertThatThrownBy(() -> connectedOverTls(base("localhost") + "?sslmode=verify-full&sslrootcert=" + certificate))
      .isNotNull();
    // verify-ca checks the certificate only.
    assertThat(connectedOverTls(base("localhost") + "?sslmode=verify-ca&sslrootcert=" + certificate)).isTrue();
  }

  @Test
  void anEngineOnATlsDatabaseStartsAndIsHealthy() {
    TestEngine setup = TestEngine.onDatabase(base("127.0.0.1") + "?sslmode=require");
    int port = setup.port();
    try (Engine engine = setup.start()) {
      Http.Response health = Http.get(port, "/health");
      assertThat(health.status()).isEqualTo(200);
      assertThat(health.json().getString("status")).isEqualTo("UP");
    }
  }

  @Test
  void requireAgainstAServerWithoutTlsFailsStartUpClearly() {
    String plain = TestDatabase.get().createDatabase();
    TestEngine setup = TestEngine.onDatabase(plain + (plain.contains("?") ? "&" : "?") + "sslmode=require");
    assertThatThrownBy(setup::start)
      .isInstanceOf(StartupException.class)
      .hasMessageContaining("cannot connect to PostgreSQL")
      .hasMessageContaining("sslmode=require");
  }
}
