package io.carbonnexus.engine.http;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.support.EngineUnderTest;
import io.carbonnexus.engine.support.FakeJwks;
import io.carbonnexus.engine.support.Http;
import io.carbonnexus.engine.support.Jwts;
import io.carbonnexus.engine.support.RawHttp;
import io.carbonnexus.engine.support.TestEngine;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * JWTs signed with the keys of a JSON Web Key Set ({@code auth.jwks_url}, ES256 as Supabase signs
 * them), against a fake identity provider that starts failing, then stalls, serves a key, and
 * rotates it. The tests run in order: they follow one engine through that story. The engine
 * fetches the set again for an unknown key id at most every 30 s, and {@code auth.jwks_refresh}
 * is at its minimum (30 s): the rotation test waits for that window, once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JwksIT {

  private static final String ISSUER = "https://project.supabase.co/auth/v1";
  private static final String AUDIENCE = "authenticated";
  private static final String OPERATOR = "jwks-test-operator-token";
  private static final String TARGET = new JsonObject().put("entity_type", "supplier").put("entity", "Acme")
    .put("baseline", 120.0).encode();
  /** The engine's limit on fetching again for an unknown key id, plus room for a busy machine. */
  private static final Duration REFETCH_WINDOW = Duration.ofSeconds(30 + 15);

  private static final KeyPair SERVED = Jwts.ecKeyPair();
  private static final KeyPair ROTATED_IN = Jwts.ecKeyPair();
  private static final KeyPair STRANGER = Jwts.ecKeyPair();

  @RegisterExtension
  static final EngineUnderTest ENGINE = new EngineUnderTest();

  private static FakeJwks jwks;

  @BeforeAll
  static void start() {
    jwks = FakeJwks.start(ENGINE.client()); // failing: the engine's first fetch gets a 500
    ENGINE.start(TestEngine.onNewDatabase()
      .with(ConfigKeys.API_TOKEN, OPERATOR)
      .with(ConfigKeys.AUTH_JWKS_URL, jwks.url())
      .with(ConfigKeys.AUTH_JWKS_REFRESH, "30s")
      .with(ConfigKeys.AUTH_JWT_ISSUER, ISSUER)
      .with(ConfigKeys.AUTH_JWT_AUDIENCE, AUDIENCE));
  }

  private static JsonObject jwk(KeyPair pair, String kid) {
    return Jwts.ecJwk((ECPublicKey) pair.getPublic(), kid);
  }

  private static String es256(KeyPair pair, String kid, String role) {
    return "Bearer " + Jwts.es256(pair.getPrivate(), kid, Jwts.claims(role, AUDIENCE, ISSUER, 3600));
  }

  private static Http.Response read(String authorization) {
    return authorization == null ? Http.get(ENGINE.port(), "/hotspots")
      : Http.send(ENGINE.port(), "GET", "/hotspots", null, "Authorization", authorization);
  }

  private static Http.Response write(String authorization) {
    return Http.send(ENGINE.port(), "PUT", "/targets", TARGET, "Authorization", authorization);
  }

  /**
   * The statuses of a few reads, each on a connection of its own: the node's HTTP verticle
   * instances take new connections in turn, and each instance holds keys of its own.
   */
  private static List<Integer> readOnFreshConnections(String authorization) {
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      try (RawHttp raw = new RawHttp(ENGINE.port())) {
        raw.write("GET /hotspots HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + authorization
          + "\r\nConnection: close\r\n\r\n");
        raw.response(10_000);
        statuses.add(raw.status());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return statuses;
  }

  /** Polls a few times a second: each try is a request to the engine. */
  private static void eventually(String what, BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + timeout);
      }
      Thread.sleep(250);
    }
  }

  @Test
  @Order(1)
  void whileTheKeySetCannotBeLoadedJwtsGet503AndTheOperatorTokenStillWorks() {
    assertThat(jwks.fetches()).as("fetched at start-up").isGreaterThanOrEqualTo(1);
    for (String token : new String[] {es256(SERVED, "key-a", "authenticated"), es256(SERVED, "key-a", "service_role")}) {
      Http.Response r = read(token);
      assertThat(r.status()).as(r.body()).isEqualTo(503);
      assertThat(r.json().getString("error")).contains("auth.jwks_url");
      assertThat(write(token).status()).isEqualTo(503);
    }
    assertThat(read(null).status()).isEqualTo(401);
    assertThat(read("Bearer " + OPERATOR).status()).isEqualTo(200);
    Http.Response target = write("Bearer " + OPERATOR);
    assertThat(target.status()).as(target.body()).isEqualTo(200);
  }

  @Test
  @Order(2)
  void aStalledKeyServerHoldsAJwtForAMomentNotForTheFetchTimeout() {
    jwks.stall();
    long started = System.nanoTime();
    Http.Response r = read(es256(SERVED, "key-a", "authenticated"));
    assertThat(r.status()).as(r.body()).isEqualTo(503);
    // The engine waits 2 s for the fetch the token started; the fetch itself may take 10 s.
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    assertThat(read("Bearer " + OPERATOR).status()).as("the operator token does not wait").isEqualTo(200);
  }

  @Test
  @Order(3)
  void aTokenSignedWithAServedKeyIsAcceptedForAReadAndAWriterRoleForAWrite() throws Exception {
    jwks.serve(jwk(SERVED, "key-a"));
    String reader = es256(SERVED, "key-a", "authenticated");
    // No retry to wait for: a JWT that finds no keys makes the engine fetch them and decide with them.
    assertThat(readOnFreshConnections(reader)).containsOnly(200);
    Http.Response refused = write(reader);
    assertThat(refused.status()).as(refused.body()).isEqualTo(403);
    assertThat(refused.json().getString("error")).contains("auth.write_roles");
    Http.Response written = write(es256(SERVED, "key-a", "service_role"));
    assertThat(written.status()).as(written.body()).isEqualTo(200);
  }

  @Test
  @Order(4)
  void aTokenSignedByAKeyNotInTheSetIsRefused() {
    int fetches = jwks.fetches();
    for (String token : new String[] {es256(STRANGER, "key-a", "service_role"),
      es256(STRANGER, "key-unknown", "service_role"), es256(STRANGER, "key-unknown", "service_role")}) {
      Http.Response r = read(token);
      assertThat(r.status()).as(r.body()).isEqualTo(401);
      assertThat(r.json().getString("error")).isNotBlank();
      assertThat(write(token).status()).isEqualTo(401);
    }
    assertThat(jwks.fetches()).as("unknown key ids within 30 s of a fetch fetch nothing").isEqualTo(fetches);
  }

  @Test
  @Order(5)
  void anHs256TokenIsRefusedWhenOnlyAKeySetIsConfigured() {
    // Algorithm confusion: the public key, which anyone can read, used as an HMAC secret.
    JsonObject published = jwk(SERVED, "key-a");
    JsonObject claims = Jwts.claims("service_role", AUDIENCE, ISSUER, 3600);
    for (String secret : new String[] {published.encode(), published.getString("x"), "any-secret-at-all"}) {
      for (String kid : new String[] {"key-a", null}) {
        Http.Response r = read("Bearer " + Jwts.hs256(secret, kid, claims));
        assertThat(r.status()).as("HS256 with kid %s: %s", kid, r.body()).isEqualTo(401);
      }
    }
  }

  @Test
  @Order(6)
  void anUnsignedTokenIsRefused() {
    String unsigned = Jwts.unsigned(Jwts.claims("service_role", AUDIENCE, ISSUER, 3600));
    assertThat(read("Bearer " + unsigned).status()).isEqualTo(401);
    assertThat(write("Bearer " + unsigned).status()).isEqualTo(401);
    // The same, with the signature of a valid token left on.
    String valid = es256(SERVED, "key-a", "service_role").substring("Bearer ".length());
    String stripped = unsigned + valid.substring(valid.lastIndexOf('.') + 1);
    assertThat(read("Bearer " + stripped).status()).isEqualTo(401);
  }

  @Test
  @Order(7)
  void aKeyRotatedInIsAcceptedOnceFetchedAgainAndTheRetiredOneIsRefused() throws Exception {
    String rotated = es256(ROTATED_IN, "key-b", "service_role");
    assertThat(read(rotated).status()).as("not in the set yet").isEqualTo(401);
    jwks.serve(jwk(ROTATED_IN, "key-b"));
    int fetches = jwks.fetches();
    eventually("the rotated key accepted", () -> readOnFreshConnections(rotated).equals(List.of(200, 200, 200, 200)),
      REFETCH_WINDOW);
    assertThat(jwks.fetches()).isGreaterThan(fetches);
    Http.Response written = write(rotated);
    assertThat(written.status()).as(written.body()).isEqualTo(200);
    assertThat(readOnFreshConnections(es256(SERVED, "key-a", "authenticated"))).as("the retired key").containsOnly(401);
    assertThat(read("Bearer " + OPERATOR).status()).isEqualTo(200);
  }
}
