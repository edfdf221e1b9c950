package io.carbonnexus.engine.db;

import io.carbonnexus.engine.config.ConfigException;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;

import java.time.Duration;
import java.util.Locale;

/**
 * A {@code postgresql://} URL (the form Supabase and libpq print) read once and turned into what
 * each client needs: {@link PgConnectOptions} for vertx-pg-client, a JDBC URL for Flyway.
 */
public final class DatabaseUrl {

  private final String url;
  private final PgConnectOptions options;

  private DatabaseUrl(String url, PgConnectOptions options) {
    this.url = url;
    this.options = options;
  }

  public static DatabaseUrl parse(String url) {
    if (url == null || url.isBlank()) {
      throw new ConfigException("database URL is empty");
    }
    String trimmed = url.trim();
    String scheme = trimmed.contains("://") ? trimmed.substring(0, trimmed.indexOf("://")).toLowerCase(Locale.ROOT) : "";
    if (!scheme.equals("postgresql") && !scheme.equals("postgres")) {
      throw new ConfigException("database URL " + redact(trimmed)
        + " is not a PostgreSQL URL: expected postgresql://user:password@host:5432/database");
    }
    PgConnectOptions options;
    try {
      options = PgConnectOptions.fromUri(trimmed);
    } catch (RuntimeException e) {
      throw new ConfigException("database URL " + redact(trimmed) + " cannot be read: " + e.getMessage());
    }
    if (options.getHost() == null || options.getHost().isBlank()) {
      throw new ConfigException("database URL " + redact(trimmed) + " names no host");
    }
    return new DatabaseUrl(trimmed, options);
  }

  /** A fresh copy each time: callers set pool-specific options on it. */
  public PgConnectOptions connectOptions() {
    return new PgConnectOptions(options);
  }

  /**
   * The JDBC form of the same server, for Flyway: TLS mode carried over with the same meaning
   * ({@code require} encrypts without verifying the certificate, as in libpq).
   */
  public String jdbcUrl(Duration connectTimeout) {
    SslMode ssl = options.getSslMode();
    return "jdbc:postgresql://" + hostForUrl() + ":" + options.getPort() + "/" + options.getDatabase()
      + "?sslmode=" + (ssl == null ? "disable" : ssl.value)
      + "&connectTimeout=" + Math.max(1, connectTimeout.toSeconds())
      + "&ApplicationName=carbon-nexus-engine";
  }

  public String user() {
    return options.getUser();
  }

  public String password() {
    return options.getPassword();
  }

  /** Host, port and database: what a log line or an error may show. Never the password. */
  public String describe() {
    return hostForUrl() + ":" + options.getPort() + "/" + options.getDatabase()
      + (options.getUser() == null ? "" : " as " + options.getUser());
  }

  public String redacted() {
    return redact(url);
  }

  public String url() {
    return url;
  }

  @Override
  public String toString() {
    return redacted();
  }

  static String redact(String url) {
    return url.replaceAll("(://[^:/@]*):[^@/]*@", "$1:***@")
      .replaceAll("(?i)(password=)[^&]*", "$1***");
  }

  private String hostForUrl() {
    String host = options.getHost();
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }
}
