package io.carbonnexus.engine.http;

import io.carbonnexus.engine.config.ConfigKeys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpResponseExpectation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Decides who a request is, from its {@code Authorization: Bearer <token>} header: the static
 * operator token ({@code api.token}), or a JWT signed with {@code auth.jwt_secret} (HS256) or a
 * key of the set at {@code auth.jwks_url} (RS256, ES256), not expired, with the configured issuer
 * and audience. {@link #admit} then applies an operation's {@link Access}.
 *
 * <p>No key, no JWT: until a key set has been fetched, JWTs are refused (never accepted unsigned,
 * which is what a JWT provider with no key at all would do).
 */
final class Authenticator {

  private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);
  /** An unknown key id makes the key set be fetched again at once, but not more often than this. */
  private static final long UNKNOWN_KID_REFETCH_MS = 30_000;
  private static final long JWKS_RETRY_MS = 10_000;
  /** How long a JWT that comes while this instance has no keys waits for the fetch it starts. */
  private static final long KEYS_WAIT_MS = 2_000;
  static final String REALM = "carbon-nexus";

  /** Who called: the operator token, or a JWT's subject and role. {@code expiresAt} null: never. */
  record Principal(String subject, String role, boolean writer, Instant expiresAt) {
    static final Principal ANONYMOUS = new Principal(null, null, false, null);

    boolean anonymous() {
      return this == ANONYMOUS;
    }
  }

  /** A refusal: 401 (who are you?), 403 (not allowed to) or 503 (cannot check yet). */
  static final class Refused extends RuntimeException {
    private final int status;

    Refused(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }

    int status() {
      return status;
    }
  }

  private final Vertx vertx;
  private final byte[] operatorTokenHash;
  private final String secret;
  private final String jwksUrl;
  private final JWTOptions jwtOptions;
  private final Set<String> writeRoles;
  private final long jwksRefreshMs;
  private volatile JWTAuth jwt;
  private WebClient client;
  private long refreshTimer = -1;
  private long lastFetchAt;
  private Future<Void> fetching;

  Authenticator(Vertx vertx, JsonObject conf) {
    this.vertx = vertx;
    String token = ConfigKeys.API_TOKEN.get(conf);
    this.operatorTokenHash = token == null ? null : sha256(token);
    this.secret = ConfigKeys.AUTH_JWT_SECRET.get(conf);
    this.jwksUrl = ConfigKeys.AUTH_JWKS_URL.get(conf);
    String audience = ConfigKeys.AUTH_JWT_AUDIENCE.get(conf);
    this.jwtOptions = new JWTOptions()
      .setLeeway((int) ConfigKeys.AUTH_CLOCK_SKEW.get(conf).toSeconds())
      .setIssuer(ConfigKeys.AUTH_JWT_ISSUER.get(conf))
      .setAudience(audience == null ? null : List.of(audience));
    this.writeRoles = Arrays.stream(ConfigKeys.AUTH_WRITE_ROLES.get(conf) == null ? new String[0]
        : ConfigKeys.AUTH_WRITE_ROLES.get(conf).split(","))
      .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
    this.jwksRefreshMs = ConfigKeys.AUTH_JWKS_REFRESH.get(conf).toMillis();
  }

  /** True when reads need a JWT (or the operator token): a secret or a key set is configured. */
  boolean jwtRequired() {
    return secret != null || jwksUrl != null;
  }

  boolean operatorTokenSet() {
    return operatorTokenHash != null;
  }

  /** Loads the keys; with a key set URL, waits for the first fetch but starts even if it failed (retried). */
  Future<Void> start() {
    if (secret != null && jwksUrl == null) {
      jwt = JWTAuth.create(vertx, new JWTAuthOptions().setJWTOptions(jwtOptions).addPubSecKey(hs256()));
      return Future.succeededFuture();
    }
    if (jwksUrl == null) {
      return Future.succeededFuture();
    }
    client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(5_000).setIdleTimeout(10));
    return fetchKeys().otherwiseEmpty();
  }

  void stop() {
    vertx.cancelTimer(refreshTimer);
    if (client != null) {
      client.close();
    }
  }

  /**
   * The caller, if the operation admits it: fails with {@link Refused} otherwise. Open operations
   * admit everyone (a valid token still names the caller; an invalid one is ignored).
   */
  Future<Principal> admit(Access access, String authorization) {
    if (access == Access.OPEN) {
      return authorization == null ? Future.succeededFuture(Principal.ANONYMOUS)
        : authenticate(authorization).otherwise(Principal.ANONYMOUS);
    }
    boolean needed = jwtRequired() || (access == Access.WRITE && operatorTokenSet());
    if (!needed) {
      return Future.succeededFuture(Principal.ANONYMOUS);
    }
    if (authorization == null) {
      return Future.failedFuture(new Refused(401, access == Access.WRITE && !jwtRequired()
        ? "this operation needs Authorization: Bearer <NEXUS_API_TOKEN>"
        : "this operation needs Authorization: Bearer <token> (a JWT, or the operator token)"));
    }
    return authenticate(authorization).compose(p -> {
      if (access == Access.WRITE && !p.writer()) {
        return Future.failedFuture(new Refused(403, "role '" + p.role() + "' may not change state: a write needs one of "
          + writeRoles + " (auth.write_roles) or the operator token"));
      }
      return Future.succeededFuture(p);
    });
  }

  /** Who the header names; fails with {@link Refused} 401 when it names nobody valid. */
  Future<Principal> authenticate(String authorization) {
    String token = bearer(authorization);
    if (token == null) {
      return Future.failedFuture(new Refused(401, "Authorization must be 'Bearer <token>'"));
    }
    if (operatorTokenHash != null && MessageDigest.isEqual(operatorTokenHash, sha256(token))) {
      return Future.succeededFuture(new Principal("operator", "operator", true, null));
    }
    if (!jwtRequired()) {
      return Future.failedFuture(new Refused(401, "the token is not the operator token (NEXUS_API_TOKEN)"));
    }
    JWTAuth provider = jwt;
    return (provider != null ? Future.succeededFuture(provider) : loadedKeys())
      .compose(p -> p.authenticate(new TokenCredentials(token)))
      .recover(err -> {
        if (jwksUrl != null && unknownKey(err) && System.currentTimeMillis() - lastFetchAt > UNKNOWN_KID_REFETCH_MS) {
          // A key rotated in since the last fetch: fetch once more, then decide with the new set.
          return fetchKeys().compose(v -> jwt.authenticate(new TokenCredentials(token)));
        }
        return Future.failedFuture(err);
      })
      .map(user -> {
        JsonObject claims = user.attributes().getJsonObject("accessToken", new JsonObject());
        Object role = claims.getValue("role");
        String roleText = role instanceof String s ? s : null;
        Long exp = claims.getValue("exp") instanceof Number n ? n.longValue() : null;
        if (exp == null) {
          // A token that never expires cannot be taken back: identity providers always set exp.
          throw new Refused(401, "the token has no expiry (exp)");
        }
        return new Principal(claims.getString("sub"), roleText, roleText != null && writeRoles.contains(roleText),
          exp == null ? null : Instant.ofEpochSecond(exp));
      })
      .recover(err -> Future.failedFuture(err instanceof Refused ? err : new Refused(401, reason(err))));
  }

  /** The token of a {@code Bearer} header; the scheme is case-insensitive (RFC 7235). */
  static String bearer(String authorization) {
    if (authorization == null) {
      return null;
    }
    String value = authorization.trim();
    int space = value.indexOf(' ');
    if (space <= 0 || !value.substring(0, space).equalsIgnoreCase("Bearer")) {
      return null;
    }
    String token = value.substring(space + 1).trim();
    return token.isEmpty() ? null : token;
  }

  /** What to tell the caller: which check failed, never a stack or a key. */
  private String reason(Throwable err) {
    String m = err.getMessage() == null ? "" : err.getMessage().toLowerCase(Locale.ROOT);
    if (m.contains("expired")) {
      return "the token has expired";
    }
    if (m.contains("audience")) {
      return "the token is not for this audience (auth.jwt_audience: " + jwtOptions.getAudience() + ")";
    }
    if (m.contains("issuer")) {
      return "the token was not issued by " + jwtOptions.getIssuer() + " (auth.jwt_issuer)";
    }
    if (m.contains("not before") || m.contains("iat")) {
      return "the token is not valid yet";
    }
    return "the token is not a valid JWT signed with the configured key";
  }

  private static boolean unknownKey(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getClass().getSimpleName().equals("NoSuchKeyIdException")) {
        return true;
      }
    }
    return false;
  }

  private PubSecKeyOptions hs256() {
    return new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret);
  }

  /**
   * This instance has no keys (the key server failed or has not answered yet): fetch them now, or
   * join the fetch in flight, and decide with what it brings. Each HTTP verticle instance holds
   * its own keys: refusing at once would answer 503 from one instance while the key server is
   * back and another instance already accepts the same token. A key server that stalls holds a
   * request {@link #KEYS_WAIT_MS} at most.
   */
  private Future<JWTAuth> loadedKeys() {
    Future<Void> fetched = client == null ? Future.succeededFuture() : fetchKeys();
    return fetched.timeout(KEYS_WAIT_MS, TimeUnit.MILLISECONDS).transform(ar -> jwt != null ? Future.succeededFuture(jwt)
      : Future.failedFuture(new Refused(503, "the signing keys of auth.jwks_url are not loaded yet")));
  }

  /** Fetches the key set and swaps in a provider that knows it (and the HS256 secret, when both are set). */
  private Future<Void> fetchKeys() {
    if (fetching != null) {
      return fetching;
    }
    lastFetchAt = System.currentTimeMillis();
    vertx.cancelTimer(refreshTimer);
    fetching = client.getAbs(jwksUrl).timeout(10_000).send()
      .expecting(HttpResponseExpectation.SC_OK)
      .map(HttpResponse::bodyAsJsonObject)
      .map(set -> {
        JsonArray keys = set == null ? null : set.getJsonArray("keys");
        List<JsonObject> usable = new ArrayList<>();
        if (keys != null) {
          for (Object k : keys) {
            if (k instanceof JsonObject key && !"enc".equals(key.getString("use"))) {
              usable.add(key);
            }
          }
        }
        if (usable.isEmpty()) {
          throw new IllegalStateException("no signing key in the set");
        }
        JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(jwtOptions).setJwks(usable);
        if (secret != null) {
          options.addPubSecKey(hs256());
        }
        jwt = JWTAuth.create(vertx, options);
        LOG.info("Loaded {} signing keys from {}", usable.size(), jwksUrl);
        return (Void) null;
      })
      .onComplete(ar -> {
        fetching = null;
        long next = ar.succeeded() ? jwksRefreshMs : Math.min(jwksRefreshMs, JWKS_RETRY_MS);
        if (ar.failed()) {
          LOG.error("Cannot load the JWT signing keys from {} (auth.jwks_url): {}; JWTs are refused until they load, "
            + "trying again in {} s", jwksUrl, ar.cause().getMessage(), next / 1000);
        }
        refreshTimer = vertx.setTimer(next, id -> fetchKeys());
      });
    return fetching;
  }

  static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Without an audience and an issuer, any token signed with the key passes — with Supabase's
   * legacy secret that includes the project's public anon key: worth a warning at start-up.
   */
  String weakness() {
    if (!jwtRequired() || (jwtOptions.getAudience() != null && jwtOptions.getIssuer() != null)) {
      return null;
    }
    return "JWT authentication without " + (jwtOptions.getAudience() == null ? "NEXUS_AUTH_JWT_AUDIENCE" : "")
      + (jwtOptions.getAudience() == null && jwtOptions.getIssuer() == null ? " and " : "")
      + (jwtOptions.getIssuer() == null ? "NEXUS_AUTH_JWT_ISSUER" : "")
      + ": every token signed with the key is accepted (with Supabase's JWT secret, even the project's public anon key);"
      + " set them (Supabase: audience 'authenticated', issuer 'https://<project>.supabase.co/auth/v1')";
  }

  /** For the start-up log: what protects reads and writes. */
  String describe() {
    if (jwtRequired()) {
      return "every operation but health and the contract needs a JWT (" + (secret != null ? "HS256 secret" : "")
        + (secret != null && jwksUrl != null ? " and " : "") + (jwksUrl != null ? "keys from " + jwksUrl : "")
        + (operatorTokenSet() ? ") or the operator token" : ")") + "; writes need role " + writeRoles;
    }
    return operatorTokenSet() ? "writes need the operator token" : "writes are open";
  }

  static Duration untilExpiry(Principal p, Instant now) {
    return p.expiresAt() == null ? null : Duration.between(now, p.expiresAt());
  }
}
