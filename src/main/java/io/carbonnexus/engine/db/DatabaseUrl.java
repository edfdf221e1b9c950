package io.carbonnexus.engine.db;

import io.carbonnexus.engine.config.ConfigException;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A {@code postgresql://} URL (the form Supabase and libpq print) read once and turned into what
 * each client needs: {@link PgConnectOptions} for vertx-pg-client, a JDBC URL for Flyway. Both
 * follow libpq's meaning: a missing user is the OS user, a missing database is the user's name,
 * {@code sslmode} and {@code sslrootcert} mean what they mean to psql, and other query parameters
 * (e.g. {@code options=-c search_path=..}) reach the server from both clients.
 */
public final class DatabaseUrl {

  /** Query parameters the clients act on themselves; everything else is a server setting. */
  private static final Set<String> CLIENT_PARAMETERS = Set.of("sslmode", "sslrootcert", "user", "password",
    "host", "port", "dbname", "connect_timeout");

  private final String url;
  private final PgConnectOptions options;
  private final Map<String, String> serverParameters;
  private final String sslRootCert;

  private DatabaseUrl(String url, PgConnectOptions options, Map<String, String> serverParameters, String sslRootCert) {
    this.url = url;
    this.options = options;
    this.serverParameters = serverParameters;
    this.sslRootCert = sslRootCert;
  }

  public static DatabaseUrl parse(String url) {
    if (url == null || url.isBlank()) {
      throw new ConfigException("database URL is empty");
    }
    String trimmed = url.trim();
    int schemeEnd = trimmed.indexOf("://");
    String scheme = schemeEnd < 0 ? "" : trimmed.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
    if (!scheme.equals("postgresql") && !scheme.equals("postgres")) {
      throw new ConfigException("database URL " + redact(trimmed)
        + " is not a PostgreSQL URL: expected postgresql://user:password@host:5432/database");
    }
    String normalized = scheme + trimmed.substring(schemeEnd);
    URI uri;
    PgConnectOptions options;
    try {
      uri = URI.create(normalized);
      options = PgConnectOptions.fromUri(normalized);
    } catch (RuntimeException e) {
      throw new ConfigException("database URL " + redact(trimmed) + " cannot be read: " + e.getMessage());
    }
    if (options.getHost() == null || options.getHost().isBlank()) {
      throw new ConfigException("database URL " + redact(trimmed) + " names no host");
    }
    applyLibpqDefaults(uri, options);
    Map<String, String> query = queryParameters(uri);
    Map<String, String> server = new LinkedHashMap<>();
    query.forEach((k, v) -> {
      if (!CLIENT_PARAMETERS.contains(k)) {
        server.put(k, v);
      }
    });
    // Parameters in the URL replace vertx-pg-client's session defaults (DateStyle ISO, UTF-8,
    // float digits) that its decoders rely on: keep those, add the URL's on top.
    Map<String, String> properties = new HashMap<>(PgConnectOptions.DEFAULT_PROPERTIES);
    properties.put("application_name", "carbon-nexus-engine");
    properties.putAll(server);
    options.setProperties(properties);
    String rootCert = query.get("sslrootcert");
    options.setSslOptions(sslOptions(options.getSslMode(), rootCert, trimmed));
    return new DatabaseUrl(trimmed, options, server, rootCert);
  }

  /** A fresh copy each time: callers set pool-specific options on it. */
  public PgConnectOptions connectOptions() {
    return new PgConnectOptions(options);
  }

  /**
   * The JDBC form of the same server, for Flyway: same TLS mode (pgjdbc follows libpq:
   * {@code require} encrypts without verifying the certificate), same root certificate, same
   * server parameters.
   */
  public String jdbcUrl(Duration connectTimeout) {
    Map<String, String> params = new LinkedHashMap<>();
    SslMode ssl = options.getSslMode();
    params.put("sslmode", ssl == null ? "disable" : ssl.value);
    if (sslRootCert != null) {
      params.put("sslrootcert", sslRootCert);
    }
    params.put("connectTimeout", String.valueOf(Math.max(1, connectTimeout.toSeconds())));
    params.put("ApplicationName", "carbon-nexus-engine");
    serverParameters.forEach((k, v) -> params.put(k.equals("application_name") ? "ApplicationName" : k, v));
    StringBuilder sb = new StringBuilder("jdbc:postgresql://").append(hostForUrl()).append(':').append(options.getPort())
      .append('/').append(encode(options.getDatabase()));
    char sep = '?';
    for (Map.Entry<String, String> p : params.entrySet()) {
      sb.append(sep).append(p.getKey()).append('=').append(encode(p.getValue()));
      sep = '&';
    }
    return sb.toString();
  }

  public String user() {
    return options.getUser();
  }

  /** The password, or null when the URL has none (trust or peer authentication). */
  public String password() {
    String password = options.getPassword();
    return password == null || password.isEmpty() ? null : password;
  }

  /** Host, port and database: what a log line or an error may show. Never the password. */
  public String describe() {
    return hostForUrl() + ":" + options.getPort() + "/" + options.getDatabase()
      + (options.getUser() == null ? "" : " as " + options.getUser())
      + (options.getSslMode() == null || options.getSslMode() == SslMode.DISABLE ? "" : " (sslmode=" + options.getSslMode().value + ")");
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

  /** vertx-pg-client fills missing parts with its own test values ("user", "pass", "db"): use libpq's. */
  private static void applyLibpqDefaults(URI uri, PgConnectOptions options) {
    String userInfo = uri.getRawUserInfo();
    String user = userInfo == null ? "" : decode(userInfo.split(":", 2)[0]);
    if (user.isEmpty() && !queryParameters(uri).containsKey("user")) {
      options.setUser(System.getProperty("user.name"));
    }
    boolean hasPassword = (userInfo != null && userInfo.contains(":")) || queryParameters(uri).containsKey("password");
    if (!hasPassword) {
      options.setPassword("");
    }
    String path = uri.getRawPath();
    if ((path == null || path.isEmpty() || path.equals("/")) && !queryParameters(uri).containsKey("dbname")) {
      options.setDatabase(options.getUser());
    }
  }

  private static ClientSSLOptions sslOptions(SslMode mode, String rootCert, String url) {
    if (mode == null || mode == SslMode.DISABLE) {
      return null;
    }
    if (mode == SslMode.VERIFY_CA || mode == SslMode.VERIFY_FULL) {
      if (rootCert == null) {
        throw new ConfigException("database URL " + redact(url) + ": sslmode=" + mode.value
          + " needs sslrootcert=/path/to/root.crt, the certificate to verify the server against");
      }
      return new ClientSSLOptions()
        .setTrustOptions(new PemTrustOptions().addCertPath(rootCert))
        .setHostnameVerificationAlgorithm(mode == SslMode.VERIFY_FULL ? "HTTPS" : "");
    }
    // allow, prefer, require: encrypted, certificate not checked (libpq's meaning).
    return new ClientSSLOptions().setTrustAll(true).setHostnameVerificationAlgorithm("");
  }

  private static Map<String, String> queryParameters(URI uri) {
    Map<String, String> params = new LinkedHashMap<>();
    String query = uri.getRawQuery();
    if (query == null || query.isEmpty()) {
      return params;
    }
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      params.put(key, eq < 0 ? "" : decode(pair.substring(eq + 1)));
    }
    return params;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private String hostForUrl() {
    String host = options.getHost();
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }
}
