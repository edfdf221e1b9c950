package io.carbonnexus.engine.db;

import io.carbonnexus.engine.config.ConfigException;
import io.vertx.pgclient.SslMode;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatabaseUrlTest {

  private static final String SUPABASE =
    "postgresql://postgres.abcd:s3cr%40t@aws-0-eu-west-2.pooler.supabase.com:5432/postgres?sslmode=require";

  @Test
  void aSupabaseUrlKeepsHostPortUserPasswordAndTls() {
    DatabaseUrl url = DatabaseUrl.parse(SUPABASE);
    assertThat(url.connectOptions().getHost()).isEqualTo("aws-0-eu-west-2.pooler.supabase.com");
    assertThat(url.connectOptions().getPort()).isEqualTo(5432);
    assertThat(url.connectOptions().getSslMode()).isEqualTo(SslMode.REQUIRE);
    assertThat(url.user()).isEqualTo("postgres.abcd");
    assertThat(url.password()).isEqualTo("s3cr@t");
    assertThat(url.jdbcUrl(Duration.ofSeconds(7)))
      .isEqualTo("jdbc:postgresql://aws-0-eu-west-2.pooler.supabase.com:5432/postgres?sslmode=require"
        + "&connectTimeout=7&ApplicationName=carbon-nexus-engine");
  }

  @Test
  void withoutSslmodeTheConnectionIsPlain() {
    DatabaseUrl url = DatabaseUrl.parse("postgres://nexus@127.0.0.1:5433/nexus");
    assertThat(url.jdbcUrl(Duration.ofSeconds(1))).contains("sslmode=disable");
    assertThat(url.describe()).isEqualTo("127.0.0.1:5433/nexus as nexus");
  }

  @Test
  void thePasswordNeverAppearsInWhatIsLogged() {
    DatabaseUrl url = DatabaseUrl.parse(SUPABASE);
    assertThat(url.describe()).doesNotContain("s3cr");
    assertThat(url.redacted()).doesNotContain("s3cr").contains("postgres.abcd:***@");
    assertThat(url.toString()).doesNotContain("s3cr");
  }

  @Test
  void aUrlOfAnotherDatabaseIsRefusedWithTheExpectedForm() {
    assertThatThrownBy(() -> DatabaseUrl.parse("mysql://root:pw@127.0.0.1/x"))
      .isInstanceOf(ConfigException.class)
      .hasMessageContaining("is not a PostgreSQL URL")
      .hasMessageContaining("postgresql://user:password@host:5432/database")
      .hasMessageNotContaining(":pw@");
  }

  @Test
  void somethingThatIsNotAUrlIsRefused() {
    assertThatThrownBy(() -> DatabaseUrl.parse("localhost:5432"))
      .isInstanceOf(ConfigException.class)
      .hasMessageContaining("is not a PostgreSQL URL");
  }

  @Test
  void missingPartsTakeLibpqsDefaultsNotTheDriversTestValues() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://db.example.org");
    String osUser = System.getProperty("user.name");
    assertThat(url.user()).isEqualTo(osUser);
    assertThat(url.connectOptions().getDatabase()).isEqualTo(osUser);
    assertThat(url.password()).isNull();
    assertThat(url.connectOptions().getPort()).isEqualTo(5432);
  }

  @Test
  void serverParametersReachBothClientsAndKeepTheDriversSessionDefaults() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://u@h/d?options=-c%20search_path%3Dnexus&sslmode=disable");
    assertThat(url.connectOptions().getProperties())
      .containsEntry("options", "-c search_path=nexus")
      .containsEntry("DateStyle", "ISO")
      .containsEntry("client_encoding", "utf8")
      .doesNotContainKey("sslmode");
    assertThat(url.jdbcUrl(Duration.ofSeconds(1))).contains("options=-c%20search_path%3Dnexus");
  }

  @Test
  void verifyModesNeedARootCertificate() {
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://u:p@h/d?sslmode=verify-full"))
      .isInstanceOf(ConfigException.class)
      .hasMessageContaining("sslmode=verify-full needs sslrootcert=")
      .hasMessageNotContaining(":p@");
    DatabaseUrl url = DatabaseUrl.parse("postgresql://u@h/d?sslmode=verify-ca&sslrootcert=/etc/ca.pem");
    assertThat(url.jdbcUrl(Duration.ofSeconds(1))).contains("sslmode=verify-ca").contains("sslrootcert=%2Fetc%2Fca.pem");
    assertThat(url.connectOptions().getSslOptions().getHostnameVerificationAlgorithm()).isEmpty();
  }

  @Test
  void requireEncryptsWithoutCheckingTheCertificateAsLibpqDoes() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://u@h/d?sslmode=require");
    assertThat(url.connectOptions().getSslOptions().isTrustAll()).isTrue();
  }

  @Test
  void theSchemeIsCaseInsensitive() {
    assertThat(DatabaseUrl.parse("PostgreSQL://u@h:6000/d").connectOptions().getPort()).isEqualTo(6000);
  }
}
