package io.carbonnexus.engine.http;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.support.EngineUnderTest;
import io.carbonnexus.engine.support.Http;
import io.carbonnexus.engine.support.Jwts;
import io.carbonnexus.engine.support.RawHttp;
import io.carbonnexus.engine.support.TestDatabase;
import io.carbonnexus.engine.support.TestEngine;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who may read and change what, with JWT authentication on (an HS256 secret, issuer and audience,
 * as a Supabase project sets them) and the operator token: every operation of the contract is
 * tried with every kind of credential, under its canonical path and under the paths a router
 * might quietly normalise; and the bridge's origin and registration rules.
 */
class AccessControlIT {

  private static final String SECRET = "a-supabase-project-jwt-secret-of-some-length";
  private static final String ISSUER = "https://project.supabase.co/auth/v1";
  private static final String AUDIENCE = "authenticated";
  private static final String OPERATOR = "operator-token-for-machines";
  private static final String DASHBOARD_ORIGIN = "https://dash.example.com";
  private static final String[] TABLES = {"events_normalized", "predictions", "baselines", "hotspots", "alerts",
    "silences", "event_submissions"};

  @RegisterExtension
  static final EngineUnderTest ENGINE = new EngineUnderTest(TestEngine.onNewDatabase()
    .with(ConfigKeys.API_TOKEN, OPERATOR)
    .with(ConfigKeys.AUTH_JWT_SECRET, SECRET)
    .with(ConfigKeys.AUTH_JWT_ISSUER, ISSUER)
    .with(ConfigKeys.AUTH_JWT_AUDIENCE, AUDIENCE)
    .with(ConfigKeys.HTTP_CORS_ORIGINS, DASHBOARD_ORIGIN));

  /** Credentials by name: the Authorization header each sends (null: none). */
  private static final Map<String, String> CREDENTIALS = new LinkedHashMap<>();

  @BeforeAll
  static void makeCredentials() {
    CREDENTIALS.put("none", null);
    CREDENTIALS.put("bad signature", "Bearer " + Jwts.hs256("another-secret", Jwts.claims("service_role", AUDIENCE, ISSUER, 3600)));
    CREDENTIALS.put("tampered", "Bearer " + Jwts.tampered(writer()));
    CREDENTIALS.put("expired", "Bearer " + Jwts.hs256(SECRET, Jwts.claims("service_role", AUDIENCE, ISSUER, -3600)));
    CREDENTIALS.put("wrong audience", "Bearer " + Jwts.hs256(SECRET, Jwts.claims("service_role", "someone-else", ISSUER, 3600)));
    CREDENTIALS.put("wrong issuer", "Bearer " + Jwts.hs256(SECRET, Jwts.claims("service_role", AUDIENCE, "https://evil.example", 3600)));
    CREDENTIALS.put("not bearer", "Basic " + OPERATOR);
    CREDENTIALS.put("no expiry", "Bearer " + Jwts.hs256(SECRET, Jwts.claims("service_role", AUDIENCE, ISSUER, 3600)
      .copy().put("exp", (Object) null)));
    CREDENTIALS.put("reader", "Bearer " + reader());
    CREDENTIALS.put("writer", "bearer " + writer());
    CREDENTIALS.put("operator", "Bearer " + OPERATOR);
    CREDENTIALS.put("operator, scheme in capitals", "BEARER " + OPERATOR);
  }

  private static String reader() {
    return Jwts.hs256(SECRET, Jwts.claims("authenticated", AUDIENCE, ISSUER, 3600));
  }

  private static String writer() {
    return Jwts.hs256(SECRET, Jwts.claims("service_role", AUDIENCE, ISSUER, 3600));
  }

  /** Every operation of the contract: method, a concrete path, and who may call it. */
  private record Op(String method, String path, String access) {
  }

  private static List<Op> operations() {
    JsonObject paths = Http.get(ENGINE.port(), "/openapi.json").json().getJsonObject("paths");
    List<Op> ops = new ArrayList<>();
    for (String path : paths.fieldNames()) {
      for (String method : paths.getJsonObject(path).fieldNames()) {
        String access = paths.getJsonObject(path).getJsonObject(method).getString(Access.EXTENSION);
        assertThat(access).as("%s %s declares %s", method, path, Access.EXTENSION).isIn("open", "read", "write");
        ops.add(new Op(method.toUpperCase(), path.replace("{id}", "1").replace("{name}", "nobody"), access));
      }
    }
    assertThat(ops).hasSizeGreaterThanOrEqualTo(17);
    return ops;
  }

  private static Http.Response call(String method, String path, String authorization) {
    String body = method.equals("POST") || method.equals("PUT") ? "{}" : null;
    return authorization == null ? Http.send(ENGINE.port(), method, path, body)
      : Http.send(ENGINE.port(), method, path, body, "Authorization", authorization);
  }

  private static Map<String, Long> counts() {
    Map<String, Long> counts = new TreeMap<>();
    for (String table : TABLES) {
      counts.put(table, TestDatabase.queryLong(ENGINE.dbUrl(), "select count(*) from " + table));
    }
    return counts;
  }

  @Test
  void everyOperationAdmitsExactlyWhomItsAccessNames() {
    List<String> wrong = new ArrayList<>();
    Map<String, Long> before = counts();
    int requests = 0;
    for (Op op : operations()) {
      for (Map.Entry<String, String> credential : CREDENTIALS.entrySet()) {
        String who = credential.getKey();
        boolean valid = who.equals("reader") || who.equals("writer") || who.startsWith("operator");
        boolean mayWrite = who.equals("writer") || who.startsWith("operator");
        Http.Response r = call(op.method(), op.path(), credential.getValue());
        requests++;
        String what = op.method() + " " + op.path() + " as " + who + " -> " + r.status() + " " + r.body();
        if (r.status() >= 500) {
          wrong.add("5xx: " + what);
          continue;
        }
        int expected = switch (op.access()) {
          case "open" -> 0;
          case "read" -> valid ? 0 : 401;
          default -> !valid ? 401 : mayWrite ? 0 : 403;
        };
        if (expected == 0 && (r.status() == 401 || r.status() == 403)) {
          wrong.add("refused: " + what);
        } else if (expected != 0 && r.status() != expected) {
          wrong.add("expected " + expected + ": " + what);
        } else if (expected != 0 && !r.json().containsKey("error")) {
          wrong.add("not a JSON error: " + what);
        } else if (expected == 401 && r.header("www-authenticate") == null) {
          wrong.add("401 without WWW-Authenticate: " + what);
        }
      }
    }
    assertThat(wrong).isEmpty();
    assertThat(requests).isGreaterThan(150);
    assertThat(counts()).as("nothing written by any of those requests").isEqualTo(before);
  }

  @Test
  void aPathARouterWouldNormaliseIsRefusedNotServedWithoutItsCheck() {
    List<String> wrong = new ArrayList<>();
    Map<String, Long> before = counts();
    for (Op op : operations()) {
      String p = op.path();
      List<String> variants = new ArrayList<>(List.of(p + "/", "/" + p, p + "//", p.replaceFirst("/", "/./"),
        "/x/.." + p, p.substring(0, p.length() - 1) + "%" + String.format("%02X", (int) p.charAt(p.length() - 1))));
      int slash = p.lastIndexOf('/');
      if (slash > 0) {
        variants.add(p.substring(0, slash) + "%2F" + p.substring(slash + 1));
        variants.add(p.substring(0, slash) + "%2f" + p.substring(slash + 1));
      }
      for (String variant : variants) {
        for (String who : List.of("none", "writer")) {
          Http.Response r = call(op.method(), variant, CREDENTIALS.get(who));
          if (r.status() != 404) {
            wrong.add(op.method() + " " + variant + " as " + who + " -> " + r.status() + " " + r.body());
          }
        }
      }
    }
    assertThat(wrong).isEmpty();
    assertThat(counts()).isEqualTo(before);
    assertThat(Http.get(ENGINE.port(), "/health").status()).isEqualTo(200);
  }

  @Test
  void everyGetAnswersHeadWithTheSameStatusAndNoBody() {
    for (Op op : operations()) {
      if (!op.method().equals("GET")) {
        continue;
      }
      Http.Response get = call("GET", op.path(), CREDENTIALS.get("reader"));
      Http.Response head = call("HEAD", op.path(), CREDENTIALS.get("reader"));
      assertThat(head.status()).as("HEAD %s", op.path()).isEqualTo(get.status());
      assertThat(head.body()).as("HEAD %s", op.path()).isEmpty();
    }
    assertThat(call("HEAD", "/hotspots", null).status()).isEqualTo(401);
  }

  @Test
  void anAnonymousHealthCheckLearnsOnlyUpOrDown() {
    Http.Response anonymous = Http.get(ENGINE.port(), "/health");
    assertThat(anonymous.status()).isEqualTo(200);
    assertThat(anonymous.json()).isEqualTo(new JsonObject().put("status", "UP"));
    Http.Response reader = call("GET", "/health", CREDENTIALS.get("reader"));
    assertThat(reader.status()).isEqualTo(200);
    assertThat(reader.body()).contains("server_version", "\"checks\"");
  }

  @Test
  void aValueWithAPercentSignIsDecodedOnceEverywhere() throws Exception {
    String writer = CREDENTIALS.get("writer");
    Http.Response set = Http.send(ENGINE.port(), "PUT", "/targets", new JsonObject().put("entity_type", "supplier")
      .put("entity", "100% Freight\nINFO forged").put("baseline", 5.0).encode(), "Authorization", writer);
    assertThat(set.status()).as(set.body()).isEqualTo(200);
    Http.Response list = Http.send(ENGINE.port(), "GET", "/baselines?entity=100%25%20Freight%0AINFO%20forged", null,
      "Authorization", writer);
    assertThat(list.status()).as(list.body()).isEqualTo(200);
    assertThat(list.array()).hasSize(1);
    Http.Response hotspots = Http.send(ENGINE.port(), "GET", "/hotspots?entity=100%25", null, "Authorization", writer);
    assertThat(hotspots.status()).as(hotspots.body()).isEqualTo(200);
    Http.Response delete = Http.send(ENGINE.port(), "DELETE", "/targets?entity_type=supplier&entity=100%25%20Freight%0AINFO%20forged",
      null, "Authorization", writer);
    assertThat(delete.status()).as(delete.body()).isEqualTo(204);
    try (RawHttp raw = new RawHttp(ENGINE.port())) {
      raw.write("GET /hotspots?entity=100%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + writer + "\r\n\r\n");
      String response = raw.response(5_000);
      assertThat(raw.status()).as(response).isEqualTo(400);
      assertThat(response).contains("percent-encoding");
    }
  }

  private WebSocket bridge(String origin) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(ENGINE.port())
      .setURI("/eventbus/websocket");
    if (origin != null) {
      options.addHeader("Origin", origin);
    }
    WebSocketClient ws = ENGINE.client().createWebSocketClient();
    return ws.connect(options).await();
  }

  @Test
  void theBridgeServesItsOwnOriginAndTheConfiguredOnesOnly() {
    Http.Response foreign = Http.send(ENGINE.port(), "GET", "/eventbus/info", null, "Origin", "https://evil.example");
    assertThat(foreign.status()).isEqualTo(403);
    assertThat(foreign.json().getString("error")).contains("http.cors_origins");
    assertThat(foreign.header("access-control-allow-origin")).isNull();
    Http.Response listed = Http.send(ENGINE.port(), "GET", "/eventbus/info", null, "Origin", DASHBOARD_ORIGIN);
    assertThat(listed.status()).isEqualTo(200);
    assertThat(listed.header("access-control-allow-origin")).isEqualTo(DASHBOARD_ORIGIN);
    assertThat(Http.send(ENGINE.port(), "GET", "/eventbus/info", null, "Origin", "http://127.0.0.1:" + ENGINE.port()).status())
      .isEqualTo(200);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> bridge("https://evil.example"))
      .hasMessageContaining("403");
    bridge(DASHBOARD_ORIGIN).close().await();
  }

  @Test
  void theDashboardsScriptsLoadWhateverTheirOriginButItsDataDoesNot() {
    // A module script is fetched with Origin; behind a TLS proxy it is not the engine's own.
    Http.Response script = Http.send(ENGINE.port(), "GET", "/js/main.js", null, "Origin", "https://nexus.example");
    assertThat(script.status()).isEqualTo(200);
    assertThat(script.header("content-type")).contains("javascript");
    assertThat(script.header("access-control-allow-origin")).isNull();
    assertThat(Http.send(ENGINE.port(), "GET", "/hotspots", null, "Origin", "https://nexus.example").status())
      .isEqualTo(403);
  }

  @Test
  void aRegisterWithoutAValidTokenGetsAnErrorAndNothingElse() throws Exception {
    WebSocket socket = bridge(null);
    BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    socket.handler(b -> frames.add(new JsonObject(b.toString())));
    for (String authorization : new String[] {null, CREDENTIALS.get("expired"), CREDENTIALS.get("bad signature")}) {
      JsonObject register = new JsonObject().put("type", "register").put("address", Addresses.HOTSPOTS);
      if (authorization != null) {
        register.put("headers", new JsonObject().put("Authorization", authorization));
      }
      socket.writeTextMessage(register.encode()).await();
      JsonObject frame = frames.poll(5, TimeUnit.SECONDS);
      assertThat(frame).isNotNull();
      assertThat(frame.getString("type")).isEqualTo("err");
    }
    ENGINE.vertx().eventBus().publish(Addresses.HOTSPOTS, new JsonObject().put("probe", 1));
    assertThat(frames.poll(500, TimeUnit.MILLISECONDS)).as("nothing after refused registrations").isNull();
    socket.close().await();
  }

  @Test
  void aSocketIsClosedWhenItsTokenExpires() throws Exception {
    WebSocket socket = bridge(null);
    BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    socket.handler(b -> frames.add(new JsonObject(b.toString())));
    AtomicInteger closedWith = new AtomicInteger();
    socket.closeHandler(v -> closedWith.set(socket.closeStatusCode() == null ? -1 : socket.closeStatusCode()));
    // Expires 3 s from now; the engine allows 30 s of clock skew when it checks, not when it closes.
    JsonObject claims = Jwts.claims("authenticated", AUDIENCE, ISSUER, 3);
    socket.writeTextMessage(new JsonObject().put("type", "register").put("address", Addresses.ALERTS)
      .put("headers", new JsonObject().put("Authorization", "Bearer " + Jwts.hs256(SECRET, claims))).encode()).await();
    JsonObject probe = new JsonObject().put("probe", 2);
    JsonObject first = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    while (first == null && System.nanoTime() < deadline) {
      ENGINE.vertx().eventBus().publish(Addresses.ALERTS, probe);
      first = frames.poll(100, TimeUnit.MILLISECONDS);
    }
    assertThat(first).as("a registered socket receives the channel").isNotNull();
    TestDatabase.waitFor("the socket closed at its token's expiry", () -> closedWith.get() != 0, Duration.ofSeconds(8));
  }
}
