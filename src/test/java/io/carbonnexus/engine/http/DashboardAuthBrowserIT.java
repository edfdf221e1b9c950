package io.carbonnexus.engine.http;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.support.Chromium;
import io.carbonnexus.engine.support.EngineUnderTest;
import io.carbonnexus.engine.support.Http;
import io.carbonnexus.engine.support.Jwts;
import io.carbonnexus.engine.support.TestDatabase;
import io.carbonnexus.engine.support.TestEngine;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard and the bridge in a real browser against an engine that requires a JWT (an HS256
 * secret, issuer and audience as a Supabase project sets them): the page asks for a token and
 * works once given one (and forgets it on sign-out), a refused token is explained, a registration
 * without a token is refused, a page of another origin reaches neither the API nor the bridge, and
 * an expired token makes the page ask again.
 * Besides the hooks of {@link DashboardBrowserIT}, it relies on {@code body[data-auth]}
 * ({@code signed-out} while the sign-in panel {@code #signin} is up, {@code signed-in} once the
 * engine took the token), {@code #token}, {@code #sign-in}, {@code #signin-message} and
 * {@code #session}. One engine for the class; a fresh browser (and so an empty sessionStorage)
 * per test. Skipped when no Chromium is installed.
 */
class DashboardAuthBrowserIT {

  private static final Logger LOG = LoggerFactory.getLogger(DashboardAuthBrowserIT.class);

  private static final String SECRET = "a-supabase-project-jwt-secret-for-the-browser";
  private static final String ISSUER = "https://project.supabase.co/auth/v1";
  private static final String AUDIENCE = "authenticated";
  private static final String TOKEN_KEY = "carbon-nexus.token";
  private static final Duration PAGE_LOAD = Duration.ofSeconds(15);
  private static final Duration LIVE = Duration.ofSeconds(15);
  private static final Path SCREENSHOTS = Path.of("target/screenshots");
  private static final Pattern ORIGIN_REFUSED = Pattern.compile("(?m)^nexus_http_origin_refused_total(?:\\{[^}]*})? (\\S+)$");

  @RegisterExtension
  static final EngineUnderTest ENGINE = new EngineUnderTest();

  private static Path chromium;

  @BeforeAll
  static void start() {
    Optional<Path> binary = Chromium.find();
    if (binary.isEmpty()) {
      // Surefire keeps an assumption's message in its report only: say it where CI logs show it.
      LOG.warn("Skipping the dashboard authentication browser tests: {}", Chromium.notFoundMessage());
      return;
    }
    chromium = binary.get();
    ENGINE.start(DashboardBrowserIT.quickDashboard(TestEngine.onNewDatabase())
      .with(ConfigKeys.AUTH_JWT_SECRET, SECRET)
      .with(ConfigKeys.AUTH_JWT_ISSUER, ISSUER)
      .with(ConfigKeys.AUTH_JWT_AUDIENCE, AUDIENCE));
  }

  /** Per test, so that each is reported as skipped (an assumption in {@code @BeforeAll} shows as nothing run). */
  @BeforeEach
  void needsChromium() {
    assumeTrue(chromium != null, Chromium::notFoundMessage);
  }

  private static String reader(long ttlSeconds) {
    return Jwts.hs256(SECRET, Jwts.claims("authenticated", AUDIENCE, ISSUER, ttlSeconds));
  }

  private static String writer() {
    return Jwts.hs256(SECRET, Jwts.claims("service_role", AUDIENCE, ISSUER, 3600));
  }

  @Test
  void theDashboardAsksForATokenAndWithAReaderJwtShowsTheDataAndALiveHotspot() throws Exception {
    String supplier = "Signed-in Freight";
    try (Chromium browser = Chromium.launch(chromium)) {
      onFailureScreenshot(browser, "dashboard-auth-failure.png", () -> {
        browser.navigate(origin() + "/");
        waitForSignInPanel(browser);
        assertThat(browser.evaluate("document.querySelector('#dashboard').hidden"))
          .as("the dashboard behind the panel of a page that never had data").isEqualTo(true);
        assertThat(browser.evaluate("document.querySelector('#connection').textContent")).isEqualTo("signed out");
        assertThat(browser.evaluate("document.activeElement && document.activeElement.id"))
          .as("the token field has the focus: a keyboard user types at once").isEqualTo("token");
        assertThat(browser.accessibleNames()).as("what a screen reader finds")
          .contains("textbox: Access token", "button: Sign in", "heading: Sign in to see the dashboard");
        assertThat((String) browser.evaluate("document.querySelector('#token-help').textContent"))
          .contains("Supabase", "operator token");
        assertThat((String) browser.evaluate("document.querySelector('#token').getAttribute('aria-describedby')"))
          .as("the help is read with the field").contains("token-help");
        browser.screenshot(SCREENSHOTS.resolve("dashboard-sign-in.png"));

        String token = reader(3600);
        signIn(browser, token);
        assertThat(browser.evaluate("document.querySelector('#session-who').textContent"))
          .isEqualTo("signed in as user-authenticated");
        assertThat(browser.evaluate("sessionStorage.getItem('" + TOKEN_KEY + "')")).isEqualTo(token);
        assertThat(browser.evaluate("localStorage.length")).as("nothing in localStorage").isEqualTo(0);
        assertThat(browser.evaluate(rows(supplier) + ".length")).isEqualTo(0);

        // Only now the hotspot: its row can reach the page through the bridge alone, which needs the token.
        openCriticalHotspot(supplier);
        browser.waitUntil("a live row for the new hotspot of " + supplier, rows(supplier) + ".length === 1", LIVE);
        assertThat(browser.evaluate(rows(supplier) + "[0].dataset.severity")).isEqualTo("critical");
        assertThat(browser.evaluate("document.querySelector('#connection').textContent")).isEqualTo("live");
        browser.screenshot(SCREENSHOTS.resolve("dashboard-signed-in.png"));

        assertThat(browser.exceptions()).as("JavaScript exceptions%s", browser.diagnostics()).isEmpty();
        assertThat(browser.consoleErrors()).as("console.error calls%s", browser.diagnostics()).isEmpty();
        // The browser logs the first, tokenless requests' 401s itself; anything else would be a fault.
        assertThat(browser.logErrors()).as("browser log errors").allMatch(e -> e.contains("401"));
      });
    }
  }

  @Test
  void aTokenTheEngineRefusesIsNotStoredAndThePanelSaysWhy() throws Exception {
    try (Chromium browser = Chromium.launch(chromium)) {
      onFailureScreenshot(browser, "dashboard-wrong-token-failure.png", () -> {
        browser.navigate(origin() + "/");
        waitForSignInPanel(browser);
        browser.evaluate("document.querySelector('#token').focus()");
        browser.type(Jwts.hs256("not-the-project-secret", Jwts.claims("authenticated", AUDIENCE, ISSUER, 3600)));
        browser.click("#sign-in");
        browser.waitUntil("the panel's message", "!document.querySelector('#signin-message').hidden", PAGE_LOAD);
        assertThat((String) browser.evaluate("document.querySelector('#signin-message').textContent"))
          .as("the engine's reason, shown to the user").contains("did not accept", "not a valid JWT");
        assertThat(browser.evaluate("document.body.dataset.auth")).isEqualTo("signed-out");
        assertThat(browser.evaluate("document.querySelector('#sign-in').disabled")).as("the button usable again")
          .isEqualTo(false);
        assertThat(browser.evaluate("sessionStorage.getItem('" + TOKEN_KEY + "')")).isNull();
        assertThat(browser.exceptions()).as("JavaScript exceptions%s", browser.diagnostics()).isEmpty();
        assertThat(browser.consoleErrors()).as("console.error calls%s", browser.diagnostics()).isEmpty();
      });
    }
  }

  @Test
  void signingOutForgetsTheTokenAndHidesTheFigures() throws Exception {
    try (Chromium browser = Chromium.launch(chromium)) {
      onFailureScreenshot(browser, "dashboard-sign-out-failure.png", () -> {
        browser.navigate(origin() + "/");
        waitForSignInPanel(browser);
        signIn(browser, reader(3600));
        browser.click("#sign-out");
        waitForSignInPanel(browser);
        assertThat(browser.evaluate("sessionStorage.getItem('" + TOKEN_KEY + "')")).isNull();
        assertThat(browser.evaluate("document.querySelector('#dashboard').hidden")).isEqualTo(true);
        assertThat(browser.evaluate("document.querySelector('#session').hidden")).isEqualTo(true);
        assertThat(browser.evaluate("document.querySelector('#connection').textContent")).isEqualTo("signed out");
        // A reload of the tab stays signed out: nothing was kept elsewhere.
        browser.navigate(origin() + "/");
        waitForSignInPanel(browser);
        assertThat(browser.exceptions()).as("JavaScript exceptions%s", browser.diagnostics()).isEmpty();
        assertThat(browser.consoleErrors()).as("console.error calls%s", browser.diagnostics()).isEmpty();
      });
    }
  }

  @Test
  void aRegistrationWithoutATokenIsRefusedAndGetsNoMessageWhileTheSignedInDashboardGetsIt() throws Exception {
    String supplier = "Unregistered Probe Freight";
    try (Chromium browser = Chromium.launch(chromium)) {
      onFailureScreenshot(browser, "dashboard-register-refused-failure.png", () -> {
        browser.navigate(origin() + "/");
        waitForSignInPanel(browser);
        signIn(browser, reader(3600));

        // A second bus in the same page, with the official client, registering without headers.
        browser.evaluate("""
          window.probe = {opened: false, refusals: [], messages: [], handlerErrors: []};
          (() => {
            const bus = new EventBus('/eventbus');
            bus.onerror = frame => probe.refusals.push(frame);
            bus.onopen = () => {
              probe.opened = true;
              bus.registerHandler('hotspots', (err, msg) => err ? probe.handlerErrors.push(err) : probe.messages.push(msg.body));
            };
          })();
          true""");
        browser.waitUntil("the tokenless registration answered", "probe.refusals.length > 0", LIVE);
        assertThat(browser.evaluate("probe.opened")).as("the bridge itself opens: only the registration is refused")
          .isEqualTo(true);
        // The bridge's refusal names no address, so the official client hands it to onerror, not to the handler.
        assertThat(browser.evaluate("probe.refusals")).isEqualTo(new JsonArray()
          .add(new JsonObject().put("type", "err").put("body", "rejected")));

        openCriticalHotspot(supplier);
        browser.waitUntil("the signed-in dashboard's live row for " + supplier, rows(supplier) + ".length === 1", LIVE);
        // The same publish reached every socket registered on the channel; give the other one time to show it did not.
        Thread.sleep(500);
        assertThat(browser.evaluate("probe.messages")).as("messages of the refused registration").isEqualTo(new JsonArray());
        assertThat(browser.evaluate("probe.handlerErrors")).isEqualTo(new JsonArray());
        assertThat(browser.evaluate("document.querySelector('#connection').textContent"))
          .as("the dashboard is not disturbed by another bus's refusal").isEqualTo("live");
        assertThat(browser.exceptions()).as("JavaScript exceptions%s", browser.diagnostics()).isEmpty();
        assertThat(browser.consoleErrors()).as("console.error calls%s", browser.diagnostics()).isEmpty();
      });
    }
  }

  @Test
  void aPageOfAnotherOriginReachesNeitherTheBridgeNorTheApiAndIsCounted() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (Chromium browser = Chromium.launch(chromium)) {
      // Another port of 127.0.0.1 is another origin: what a page on a stranger's site would be.
      String page = """
        <!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Elsewhere</title></head>
        <body><p>A page of another origin</p>
        <script src="%1$s/vendor/sockjs.min.js"></script><script src="%1$s/vendor/vertx-eventbus.js"></script></body></html>
        """.formatted(origin());
      HttpServer foreign = vertx.createHttpServer().requestHandler(req -> req.response()
        .putHeader("content-type", "text/html; charset=utf-8").end(page)).listen(0, "127.0.0.1").await();
      onFailureScreenshot(browser, "dashboard-foreign-origin-failure.png", () -> {
        double before = originRefusals();
        browser.navigate("http://127.0.0.1:" + foreign.actualPort() + "/");
        browser.waitUntil("the engine's scripts loaded into the foreign page (a script tag sends no Origin)",
          "typeof EventBus === 'function' && typeof SockJS === 'function'", PAGE_LOAD);

        // A valid token everywhere: what is refused is the origin, not the caller.
        String token = reader(3600);
        browser.evaluate("""
          window.result = {opened: false, busClosed: null, fetch: null, websocket: null};
          (() => {
            const engine = %s, authorization = 'Bearer ' + %s;
            const bus = new EventBus(engine + '/eventbus');
            bus.onerror = () => {};
            bus.onopen = () => {
              result.opened = true;
              bus.registerHandler('hotspots', {Authorization: authorization}, () => {});
            };
            bus.onclose = e => { result.busClosed = e ? e.code : -1; };
            fetch(engine + '/hotspots', {headers: {Authorization: authorization}})
              .then(r => { result.fetch = 'status ' + r.status; }, e => { result.fetch = 'failed: ' + e.message; });
            const ws = new WebSocket(engine.replace('http', 'ws') + '/eventbus/websocket');
            ws.onopen = () => { result.websocket = 'open'; };
            ws.onclose = e => { if (result.websocket !== 'open') result.websocket = 'closed ' + e.code; };
          })();
          true""".formatted(Json.encode(origin()), Json.encode(token)));
        browser.waitUntil("the bus, the fetch and the WebSocket all settled",
          "result.busClosed !== null && result.fetch !== null && result.websocket !== null", PAGE_LOAD);
        JsonObject result = (JsonObject) browser.evaluate("result");
        assertThat(result.getBoolean("opened")).as("the bridge opened for a foreign page: %s", result).isFalse();
        assertThat(result.getString("fetch")).as("fetch of /hotspots from a foreign page")
          .satisfiesAnyOf(f -> assertThat(f).startsWith("failed"), f -> assertThat(f).isEqualTo("status 403"));
        assertThat(result.getString("websocket")).as("the raw WebSocket transport").startsWith("closed");
        browser.screenshot(SCREENSHOTS.resolve("dashboard-foreign-origin.png"));

        // SockJS's /info request, the fetch's preflight and the WebSocket handshake: each refused and counted.
        assertThat(originRefusals() - before).as("nexus_http_origin_refused_total increase").isGreaterThanOrEqualTo(3);
        assertThat(browser.exceptions()).as("JavaScript exceptions%s", browser.diagnostics()).isEmpty();
      });
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void whenItsTokenExpiresTheBridgeClosesAndTheDashboardAsksAgain() throws Exception {
    try (Chromium browser = Chromium.launch(chromium)) {
      onFailureScreenshot(browser, "dashboard-token-expired-failure.png", () -> {
        browser.navigate(origin() + "/");
        waitForSignInPanel(browser);
        // The engine's 30 s clock-skew leeway keeps REST answering; the bridge closes at the expiry itself.
        signIn(browser, reader(6));
        browser.waitUntil("the sign-in panel again, saying why", "document.body.dataset.auth === 'signed-out'"
          + " && !document.querySelector('#signin').hidden && !document.querySelector('#signin-message').hidden",
          Duration.ofSeconds(20));
        assertThat((String) browser.evaluate("document.querySelector('#signin-message').textContent")).contains("expired");
        assertThat(browser.evaluate("document.querySelector('#connection').textContent")).isEqualTo("signed out");
        assertThat(browser.evaluate("sessionStorage.getItem('" + TOKEN_KEY + "')")).as("the dead token forgotten").isNull();
        assertThat(browser.evaluate("document.querySelector('#dashboard').hidden"))
          .as("the figures of the ended session stay visible behind the panel").isEqualTo(false);
        assertThat(browser.evaluate("document.activeElement && document.activeElement.id")).isEqualTo("token");
        browser.screenshot(SCREENSHOTS.resolve("dashboard-token-expired.png"));

        // A fresh token picks up where it left.
        signIn(browser, reader(3600));
        assertThat(browser.exceptions()).as("JavaScript exceptions%s", browser.diagnostics()).isEmpty();
        assertThat(browser.consoleErrors()).as("console.error calls%s", browser.diagnostics()).isEmpty();
      });
    }
  }

  /** The engine's origin: its dashboard is at {@code origin() + "/"}. */
  private static String origin() {
    return "http://127.0.0.1:" + ENGINE.port();
  }

  /** JavaScript: the rows of #hotspots for {@code supplier}, compared by value (no selector quoting). */
  private static String rows(String supplier) {
    return "[...document.querySelectorAll('#hotspots tr[data-hotspot-id]')]"
      + ".filter(r => r.dataset.entity === " + Json.encode(supplier) + ")";
  }

  private static void waitForSignInPanel(Chromium browser) throws InterruptedException {
    browser.waitUntil("the sign-in panel (body[data-auth=signed-out], #signin shown)",
      "document.body.dataset.auth === 'signed-out' && !document.querySelector('#signin').hidden", PAGE_LOAD);
  }

  /** Types the token into the panel's field and clicks its button, then waits for the data and the live bridge. */
  private static void signIn(Chromium browser, String token) throws InterruptedException {
    browser.evaluate("document.querySelector('#token').focus()");
    browser.type(token);
    browser.click("#sign-in");
    browser.waitUntil("signed in (body[data-auth=signed-in], #signin hidden, #session shown)",
      "document.body.dataset.auth === 'signed-in' && document.querySelector('#signin').hidden"
        + " && !document.querySelector('#session').hidden", PAGE_LOAD);
    browser.waitUntil("the first REST load (body[data-ready=true])", "document.body.dataset.ready === 'true'", PAGE_LOAD);
    browser.waitUntil("#connection reads 'live'", "document.querySelector('#connection').textContent === 'live'", PAGE_LOAD);
  }

  /** Five shipments of about 102 kg each and a target of 1 kg: critical at once. */
  private static void openCriticalHotspot(String supplier) {
    long before = TestDatabase.queryLong(ENGINE.dbUrl(), "select count(*) from predictions");
    TestDatabase.execute(ENGINE.dbUrl(), """
      insert into events_normalized (occurred_at, supplier, route, vehicle_type, distance_km, load_tonnes)
      select now() - (g || ' minutes')::interval, '%s', 'R-AUTH', 'hgv_diesel', 100, 10 from generate_series(1, 5) g
      """.formatted(supplier));
    try {
      TestDatabase.waitFor("the five events of " + supplier + " predicted",
        () -> TestDatabase.queryLong(ENGINE.dbUrl(), "select count(*) from predictions") >= before + 5, Duration.ofSeconds(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    Http.Response response = Http.send(ENGINE.port(), "PUT", "/targets", new JsonObject().put("entity_type", "supplier")
      .put("entity", supplier).put("baseline", 1).encode(), "Authorization", "Bearer " + writer());
    assertThat(response.status()).as("PUT /targets: %s", response.body()).isEqualTo(200);
  }

  /** The engine's count of requests refused for their origin (0 before the first). */
  private static double originRefusals() {
    Http.Response metrics = Http.send(ENGINE.port(), "GET", "/metrics", null, "Authorization", "Bearer " + reader(60));
    assertThat(metrics.status()).as("GET /metrics").isEqualTo(200);
    Matcher m = ORIGIN_REFUSED.matcher(metrics.body());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private interface Steps {
    void run() throws Exception;
  }

  /** Runs the steps; when they fail, keeps a screenshot of the page as it was. */
  private static void onFailureScreenshot(Chromium browser, String file, Steps steps) throws Exception {
    try {
      steps.run();
    } catch (AssertionError | RuntimeException e) {
      try {
        browser.screenshot(SCREENSHOTS.resolve(file));
      } catch (Exception screenshotFailed) {
        e.addSuppressed(screenshotFailed);
      }
      throw e;
    }
  }
}
