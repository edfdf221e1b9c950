package io.carbonnexus.engine.db;

import io.carbonnexus.engine.support.TempDirs;
import io.carbonnexus.engine.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The embedded PostgreSQL lets no local user or process in without the password kept, for its
 * owner's eyes only, in its data directory: not on first start, not after a restart, and not on
 * a data directory made by an older engine that trusted every local connection.
 */
class EmbeddedPasswordIT {

  private static Path dir;
  private static EmbeddedDatabase server;

  @BeforeAll
  static void startFreshServer() throws Exception {
    dir = Files.createTempDirectory("nexus-pgpass");
    server = start(dir.resolve("pg"));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    TempDirs.deleteRecursively(dir);
  }

  private static EmbeddedDatabase start(Path dataDir) throws Exception {
    return EmbeddedDatabase.start(dataDir, 0, Duration.ofSeconds(60), false, Map.of());
  }

  private static Connection connect(int port, String password) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres?connectTimeout=10",
      "postgres", password);
  }

  private static String passwordIn(Path dataDir) throws Exception {
    return Files.readString(dataDir.resolve(EmbeddedDatabase.PASSWORD_FILE)).strip();
  }

  private static List<String> authMethods(String url) {
    String methods = TestDatabase.queryString(url,
      "select string_agg(distinct auth_method, ',') from pg_hba_file_rules where error is null");
    String errors = TestDatabase.queryString(url, "select string_agg(error, '; ') from pg_hba_file_rules");
    assertThat(errors).as("errors in pg_hba.conf").isNull();
    return List.of(methods.split(","));
  }

  @Test
  void aConnectionWithoutPasswordIsRefused() {
    assertThatThrownBy(() -> connect(server.port(), null).close()).isInstanceOf(SQLException.class);
  }

  @Test
  void aConnectionWithAWrongPasswordIsRefused() throws Exception {
    String wrong = "x" + passwordIn(server.dataDirectory());
    assertThatThrownBy(() -> connect(server.port(), wrong).close())
      .isInstanceOf(SQLException.class)
      .hasMessageContaining("password authentication failed");
  }

  @Test
  void thePasswordFromTheFileLetsTheSuperuserIn() throws Exception {
    String password = passwordIn(server.dataDirectory());
    assertThat(password).hasSizeGreaterThanOrEqualTo(40).matches("[A-Za-z0-9_-]+");
    try (Connection c = connect(server.port(), password); var st = c.createStatement();
         var rs = st.executeQuery("select rolsuper from pg_roles where rolname = current_user")) {
      assertThat(rs.next() && rs.getBoolean(1)).isTrue();
    }
  }

  @Test
  void theServersUrlCarriesThePasswordAndItsDescriptionDoesNot() throws Exception {
    String password = passwordIn(server.dataDirectory());
    assertThat(TestDatabase.queryLong(server.url(), "select 1")).isEqualTo(1);
    assertThat(EmbeddedDatabase.url(server.dataDirectory(), server.port())).isEqualTo(server.url());
    DatabaseUrl url = DatabaseUrl.parse(server.url());
    assertThat(url.password()).isEqualTo(password);
    assertThat(url.describe()).doesNotContain(password);
    assertThat(url.redacted()).doesNotContain(password);
  }

  @Test
  void thePasswordFileIsReadableByItsOwnerOnly() throws Exception {
    Path file = server.dataDirectory().resolve(EmbeddedDatabase.PASSWORD_FILE);
    assumeThat(file.getFileSystem().supportedFileAttributeViews()).contains("posix");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    // What initdb was given on the side is gone.
    try (var siblings = Files.list(server.dataDirectory().getParent())) {
      assertThat(siblings.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("password"));
    }
  }

  @Test
  void everyRuleInPgHbaAsksForThePasswordUnixSocketIncluded() {
    assertThat(authMethods(server.url())).containsExactly("scram-sha-256");
    assertThat(TestDatabase.queryLong(server.url(),
      "select count(*) from pg_hba_file_rules where type = 'local' and auth_method = 'scram-sha-256'")).isPositive();
    assertThat(TestDatabase.queryString(server.url(),
      "select substr(rolpassword, 1, 13) from pg_authid where rolname = 'postgres'")).isEqualTo("SCRAM-SHA-256");
  }

  @Test
  void aRestartKeepsThePasswordAndTheData(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("pg");
    String password;
    try (EmbeddedDatabase first = start(data)) {
      password = passwordIn(data);
      TestDatabase.execute(first.url(), "create table kept (v int); insert into kept values (42)");
    }
    try (EmbeddedDatabase second = start(data)) {
      assertThat(passwordIn(data)).isEqualTo(password);
      assertThat(second.url()).contains(password);
      assertThat(TestDatabase.queryLong(second.url(), "select v from kept")).isEqualTo(42);
      assertThatThrownBy(() -> connect(second.port(), null).close()).isInstanceOf(SQLException.class);
    }
  }

  @Test
  void aDataDirectoryThatTrustedEveryLocalConnectionAsksForAPasswordFromItsNextStartWithItsDataKept(@TempDir Path tmp)
    throws Exception {
    Path data = tmp.resolve("pg");
    try (EmbeddedDatabase old = start(data)) {
      TestDatabase.execute(old.url(), "create table kept (v int); insert into kept values (7)");
      // What an older engine left: no password, no password file, everyone trusted.
      TestDatabase.execute(old.url(), "alter role postgres password null");
    }
    Files.writeString(data.resolve("pg_hba.conf"), """
      local all all trust
      host all all 127.0.0.1/32 trust
      host all all ::1/128 trust
      """);
    Files.delete(data.resolve(EmbeddedDatabase.PASSWORD_FILE));
    try (EmbeddedDatabase upgraded = start(data)) {
      assertThatThrownBy(() -> connect(upgraded.port(), null).close()).isInstanceOf(SQLException.class);
      String password = passwordIn(data);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(EmbeddedDatabase.PASSWORD_FILE))))
        .isEqualTo("rw-------");
      try (Connection c = connect(upgraded.port(), password)) {
        assertThat(c.isValid(5)).isTrue();
      }
      assertThat(TestDatabase.queryLong(upgraded.url(), "select v from kept")).isEqualTo(7);
      assertThat(authMethods(upgraded.url())).containsExactly("scram-sha-256");
      assertThat(Files.readString(data.resolve("pg_hba.conf"))).doesNotContain("trust");
    }
    // The upgrade holds across a restart.
    try (EmbeddedDatabase again = start(data)) {
      assertThatThrownBy(() -> connect(again.port(), null).close()).isInstanceOf(SQLException.class);
      assertThat(TestDatabase.queryLong(again.url(), "select v from kept")).isEqualTo(7);
    }
  }

  @Test
  void aDataDirectoryWhosePasswordFileWasDeletedFailsToStartAndSaysWhy(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("pg");
    Path file = data.resolve(EmbeddedDatabase.PASSWORD_FILE);
    try (EmbeddedDatabase ignored = start(data)) {
      // started once: the server now holds a password
    }
    String password = passwordIn(data);
    Files.delete(file);
    assertThatThrownBy(() -> start(data).close())
      .hasMessageContaining("the password file")
      .hasMessageContaining("is missing");
    // The failed start let go of the directory: with the file back, the next one starts.
    Files.writeString(file, password + "\n");
    try (EmbeddedDatabase restored = start(data)) {
      assertThat(TestDatabase.queryLong(restored.url(), "select 1")).isEqualTo(1);
    }
  }
}
