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
}
