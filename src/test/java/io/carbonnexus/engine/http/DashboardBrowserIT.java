package io.carbonnexus.engine.http;

import io.carbonnexus.engine.Engine;
import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.support.Chromium;
import io.carbonnexus.engine.support.FakeReceiver;
import io.carbonnexus.engine.support.Http;
import io.carbonnexus.engine.support.TestDatabase;
import io.carbonnexus.engine.support.TestEngine;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard in a real browser against a whole engine: the page loads, opens the SockJS
 * bridge, and shows a hotspot that opens afterwards without a reload. It relies only on the
 * hooks the page promises: {@code body[data-ready="true"]} after the first REST load,
 * {@code #connection} reading {@code live} while the bridge is open, and one
 * {@code tr[data-hotspot-id][data-entity][data-severity]} inside {@code #hotspots} per open hotspot.
 * Skipped when no Chromium is installed ({@code .ci/run} installs one).
 */
class DashboardBrowserIT {

  private static final Logger LOG = LoggerFactory.getLogger(DashboardBrowserIT.class);

  private static final String SUPPLIER = "Browser Test Freight";
  /** Five shipments of 100 km × 10 t by HGV (about 102 kg each), all inside the detection window. */
  private static final String EVENTS = """
    insert into events_normalized (occurred_at, supplier, route, vehicle_type, distance_km, load_tonnes)
    select now() - (g || ' minutes')::interval, '%s', 'R-BT', 'hgv_diesel', 100, 10 from generate_series(1, 5) g
    """.formatted(SUPPLIER);
  private static final Duration PAGE_LOAD = Duration.ofSeconds(15);
  private static final Duration LIVE = Duration.ofSeconds(15);
  private static final Path SCREENSHOT = Path.of("target/screenshots/dashboard.png");
  private static final Path FAILURE_SCREENSHOT = Path.of("target/screenshots/dashboard-failure.png");

  /** JavaScript: the rows of #hotspots for the test's supplier, compared by value (no selector quoting). */
  private static final String ROWS = "[...document.querySelectorAll('#hotspots tr[data-hotspot-id]')]"
    + ".filter(r => r.dataset.entity === " + Json.encode(SUPPLIER) + ")";

  @Test
  void aHotspotOpenedAfterThePageLoadedAppearsLiveAsACriticalRowAndLeavesWhenResolved() throws Exception {
    Optional<Path> binary = Chromium.find();
    if (binary.isEmpty()) {
      // Surefire keeps an assumption's message in its report only: say it where CI logs show it.
      LOG.warn("Skipping the dashboard browser test: {}", Chromium.notFoundMessage());
    }
    assumeTrue(binary.isPresent(), Chromium::notFoundMessage);
    TestEngine setup = quickDashboard(TestEngine.onNewDatabase());
    String url = setup.dbUrl();
    int port = setup.port();
    try (Engine engine = setup.start(); Chromium browser = Chromium.launch(binary.get())) {
      try {
        browser.navigate("http://127.0.0.1:" + port + "/");
        browser.waitUntil("the page finished its first REST load (body[data-ready=true])",
          "document.body.dataset.ready === 'true'", PAGE_LOAD);
        browser.waitUntil("#connection reads 'live' (SockJS bridge open)",
          "document.querySelector('#connection')?.textContent === 'live'", PAGE_LOAD);
        assertThat(browser.evaluate(ROWS + ".length")).as("rows for %s before its hotspot exists", SUPPLIER)
          .isEqualTo(0);
        // The cards count entities above baseline over the snapshot's window, and say which window.
        assertThat(browser.evaluate("document.querySelector('#window-route').textContent"))
          .as("the routes card's window").isEqualTo("· last 24 h");
        assertThat(browser.evaluate("document.querySelector('#signin').hidden && document.querySelector('#session').hidden"))
          .as("no sign-in panel and no session while the engine requires no token").isEqualTo(true);

        // Only now the hotspot: the row can reach the page through the bridge alone.
        TestDatabase.execute(url, EVENTS);
        TestDatabase.waitFor("the five events predicted",
          () -> TestDatabase.queryLong(url, "select count(*) from predictions") == 5, Duration.ofSeconds(10));
        setTarget(port, 1); // far below the ~508 kg in the window: critical at once

        browser.waitUntil("a live row for the new hotspot of " + SUPPLIER, ROWS + ".length > 0", LIVE);
        long id = TestDatabase.queryLong(url,
          "select id from hotspots where status = 'open' and entity = '" + SUPPLIER + "'");
        JsonObject row = (JsonObject) browser.evaluate(
          "(() => { const rows = " + ROWS + "; return {count: rows.length, id: rows[0].dataset.hotspotId,"
            + " severity: rows[0].dataset.severity}; })()");
        assertThat(row.getInteger("count")).as("rows for one hotspot").isEqualTo(1);
        assertThat(row.getString("id")).as("data-hotspot-id").isEqualTo(String.valueOf(id));
        assertThat(row.getString("severity")).as("data-severity").isEqualTo("critical");
        browser.screenshot(SCREENSHOT);
        assertThat(browser.evaluate("document.querySelector('#connection').textContent"))
          .as("#connection after the live update").isEqualTo("live");

        // A target far above the window total resolves the hotspot; its row must go.
        setTarget(port, 1_000_000);
        browser.waitUntil("the row of the resolved hotspot removed", ROWS + ".length === 0", LIVE);

        assertThat(browser.exceptions()).as("JavaScript exceptions in the page%s", browser.diagnostics()).isEmpty();
        assertThat(browser.consoleErrors()).as("console.error calls in the page%s", browser.diagnostics()).isEmpty();
      } catch (AssertionError | RuntimeException e) {
        try {
          browser.screenshot(FAILURE_SCREENSHOT);
        } catch (Exception screenshotFailed) {
          e.addSuppressed(screenshotFailed);
        }
        throw e;
      }
    }
  }

  /** Three shipments a day over the last six days, and five in the last hour: a history and a bar for the supplier. */
  private static final String HISTORY_EVENTS = """
    insert into events_normalized (occurred_at, supplier, route, vehicle_type, distance_km, load_tonnes)
    select now() - (g * 8 || ' hours')::interval - interval '30 minutes', '%1$s', 'R-BT', 'hgv_articulated_diesel', 100, 10
      from generate_series(1, 18) g
    union all
    select now() - (g || ' minutes')::interval, '%1$s', 'R-BT', 'van_electric', 50, 1 from generate_series(1, 5) g
    """.formatted(SUPPLIER);

  /** JavaScript: elements that reach past the viewport's sides (a cause of horizontal scrolling), and the page's scroll width. */
  private static final String TOO_WIDE = "(() => { const w = document.documentElement.clientWidth;"
    + " const wide = [...document.querySelectorAll('body *')].filter(e => { const r = e.getBoundingClientRect();"
    + " return r.width > 0 && r.height > 0 && (r.right > w + 1 || r.left < -1) && getComputedStyle(e).position !== 'fixed'"
    + " && !e.closest('[hidden]') && !e.closest('.uplot') && e.closest('thead') === null; })"
    + ".map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + String(e.className.baseVal ?? e.className)"
    + ".replace(/ +/g, '.') + ' ' + Math.round(e.getBoundingClientRect().right));"
    + " if (document.documentElement.scrollWidth > w) wide.push('page scrollWidth ' + document.documentElement.scrollWidth);"
    + " return wide; })()";

  @ParameterizedTest(name = "{0} x {1}")
  @CsvSource({"1440, 900", "390, 844"})
  void theHistoryIsDrawnAndABarOpensTheEntitysPageAndBackWithoutAnythingWiderThanTheScreen(int width, int height)
    throws Exception {
    Optional<Path> binary = Chromium.find();
    assumeTrue(binary.isPresent(), Chromium::notFoundMessage);
    TestEngine setup = quickDashboard(TestEngine.onNewDatabase());
    String url = setup.dbUrl();
    int port = setup.port();
    Path shots = Path.of("target/screenshots");
    try (Engine engine = setup.start(); Chromium browser = Chromium.launch(binary.get())) {
      try {
        TestDatabase.execute(url, HISTORY_EVENTS);
        TestDatabase.waitFor("the history's events predicted",
          () -> TestDatabase.queryLong(url, "select count(*) from predictions") == 23, Duration.ofSeconds(20));
        browser.viewport(width, height);
        browser.navigate("http://127.0.0.1:" + port + "/");
        waitForHistory(browser, "the overview");
        browser.waitUntil("a bar for " + SUPPLIER, "document.querySelector(" + Json.encode(barLink()) + ") !== null", LIVE);
        assertThat(((Number) browser.evaluate("+document.querySelector('#history-chart').dataset.points")).intValue())
          .as("buckets with emissions drawn in the total's history").isGreaterThanOrEqualTo(6);
        assertThat(list(browser.evaluate(TOO_WIDE))).as("elements wider than %d px on the overview", width).isEqualTo(List.of());
        browser.screenshot(shots.resolve("overview-" + width + ".png"));

        browser.click(barLink());
        browser.waitUntil("the supplier's page", "document.body.dataset.view === 'entity'"
          + " && document.querySelector('#entity-name').textContent === " + Json.encode(SUPPLIER), PAGE_LOAD);
        assertThat(browser.evaluate("new URLSearchParams(location.hash.slice(1)).get('entity')"))
          .as("the URL holds the selection").isEqualTo(SUPPLIER);
        waitForHistory(browser, "the supplier's page");
        assertThat(((Number) browser.evaluate("+document.querySelector('#history-chart').dataset.points")).intValue())
          .as("buckets with emissions in the supplier's history").isGreaterThanOrEqualTo(6);
        assertThat(browser.evaluate("document.querySelector('#bars-panel').hidden && !document.querySelector('#breakdown-panel').hidden"))
          .as("the entity page replaces the bars with the supplier's own figures").isEqualTo(true);
        browser.waitUntil("the supplier's breakdown by route and vehicle type",
          "document.querySelectorAll('#breakdown .split').length === 2", PAGE_LOAD);
        assertThat(list(browser.evaluate("[...document.querySelectorAll('#breakdown .split-name')].map(a => a.textContent)")))
          .as("the supplier's route and vehicle types, by human name, largest first")
          .containsExactly("R-BT", "Articulated HGV, diesel", "Electric van");
        assertThat(list(browser.evaluate(TOO_WIDE))).as("elements wider than %d px on the entity page", width).isEqualTo(List.of());
        browser.screenshot(shots.resolve("entity-" + width + ".png"));

        browser.click("#entity-back");
        browser.waitUntil("back on the overview", "document.body.dataset.view === 'overview'"
          + " && !document.querySelector('#bars-panel').hidden && location.hash === ''", PAGE_LOAD);
        waitForHistory(browser, "the overview again");

        assertThat(browser.exceptions()).as("JavaScript exceptions in the page%s", browser.diagnostics()).isEmpty();
        assertThat(browser.consoleErrors()).as("console.error calls in the page%s", browser.diagnostics()).isEmpty();
      } catch (AssertionError | RuntimeException e) {
        try {
          browser.screenshot(shots.resolve("history-failure-" + width + ".png"));
        } catch (Exception screenshotFailed) {
          e.addSuppressed(screenshotFailed);
        }
        throw e;
      }
    }
  }

  @Test
  void theOverviewAndAnEntitysPageHaveNoSeriousOrCriticalAccessibilityViolations() throws Exception {
    Optional<Path> binary = Chromium.find();
    assumeTrue(binary.isPresent(), Chromium::notFoundMessage);
    TestEngine setup = quickDashboard(TestEngine.onNewDatabase());
    String url = setup.dbUrl();
    int port = setup.port();
    String axe = Files.readString(Path.of("src/test/resources/axe/axe.min.js"), StandardCharsets.UTF_8);
    String violations = "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations"
      + ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
      + ".map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 5).map(n => n.target.join(' ')).join(' | ')))";
    try (Engine engine = setup.start(); Chromium browser = Chromium.launch(binary.get())) {
      TestDatabase.execute(url, HISTORY_EVENTS);
      TestDatabase.waitFor("the history's events predicted",
        () -> TestDatabase.queryLong(url, "select count(*) from predictions") == 23, Duration.ofSeconds(20));
      for (int width : new int[] {1440, 390}) {
        browser.viewport(width, 900);
        browser.navigate("http://127.0.0.1:" + port + "/");
        waitForHistory(browser, "the overview at " + width + " px");
        browser.evaluate(axe + ";true");
        assertThat(list(browser.evaluate(violations))).as("serious or critical axe violations on the overview at %d px", width)
          .isEqualTo(List.of());
        browser.navigate("http://127.0.0.1:" + port + "/#type=supplier&entity=" + SUPPLIER.replace(" ", "%20"));
        waitForHistory(browser, "the supplier's page at " + width + " px");
        browser.evaluate(axe + ";true");
        assertThat(list(browser.evaluate(violations))).as("serious or critical axe violations on the entity page at %d px", width)
          .isEqualTo(List.of());
      }
      assertThat(browser.exceptions()).as("JavaScript exceptions in the page%s", browser.diagnostics()).isEmpty();
    }
  }

  @Test
  void anEntitysPageShowsItsNewHotspotLiveAndKeepsItAsPastOnceResolved() throws Exception {
    Optional<Path> binary = Chromium.find();
    assumeTrue(binary.isPresent(), Chromium::notFoundMessage);
    TestEngine setup = quickDashboard(TestEngine.onNewDatabase());
    String url = setup.dbUrl();
    int port = setup.port();
    try (Engine engine = setup.start(); Chromium browser = Chromium.launch(binary.get())) {
      TestDatabase.execute(url, HISTORY_EVENTS);
      TestDatabase.waitFor("the history's events predicted",
        () -> TestDatabase.queryLong(url, "select count(*) from predictions") == 23, Duration.ofSeconds(20));
      browser.navigate("http://127.0.0.1:" + port + "/#type=supplier&entity=" + SUPPLIER.replace(" ", "%20"));
      waitForHistory(browser, "the supplier's page");
      browser.waitUntil("#connection reads 'live'", "document.querySelector('#connection')?.textContent === 'live'",
        PAGE_LOAD);
      assertThat(browser.evaluate(ROWS + ".length")).as("hotspot rows before the hotspot exists").isEqualTo(0);

      setTarget(port, 1);
      browser.waitUntil("the supplier's new hotspot, live, as open", ROWS + ".some(r => r.dataset.status === 'open')", LIVE);
      setTarget(port, 1_000_000);
      browser.waitUntil("the resolved hotspot kept on its page, shown as past",
        ROWS + ".some(r => r.dataset.status === 'resolved' && r.classList.contains('is-past'))", LIVE);
      assertThat(browser.exceptions()).as("JavaScript exceptions in the page%s", browser.diagnostics()).isEmpty();
      assertThat(browser.consoleErrors()).as("console.error calls in the page%s", browser.diagnostics()).isEmpty();
    }
  }

  @Test
  void afterTheEngineRestartsThePageReloadsWhatChangedWhileTheBridgeWasDown() throws Exception {
    Optional<Path> binary = Chromium.find();
    assumeTrue(binary.isPresent(), Chromium::notFoundMessage);
    TestEngine setup = quickDashboard(TestEngine.onNewDatabase());
    String url = setup.dbUrl();
    int port = setup.port();
    Engine engine = setup.start();
    try (Chromium browser = Chromium.launch(binary.get())) {
      browser.navigate("http://127.0.0.1:" + port + "/");
      browser.waitUntil("#connection reads 'live'", "document.body.dataset.ready === 'true'"
        + " && document.querySelector('#connection')?.textContent === 'live'", PAGE_LOAD);
      engine.close();
      browser.waitUntil("#connection reads 'offline'", "document.querySelector('#connection').textContent === 'offline'",
        PAGE_LOAD);
      // Written while no engine runs: no channel will ever carry it, only GET /alerts can.
      TestDatabase.execute(url, "insert into hotspots (entity_type, entity, predicted, baseline, percent_above, severity,"
        + " status, opened_at, updated_at, resolved_at) values ('supplier', 'Offline Freight', 90, 60, 50, 'warn',"
        + " 'resolved', now(), now(), now())");
      TestDatabase.execute(url, "insert into alerts (level, message, hotspot_id, kind, dedup_key, entity_type, entity,"
        + " percent_above) select 'warn', 'Offline Freight 150 % of baseline', id, 'firing', 'offline-' || id, 'supplier',"
        + " 'Offline Freight', 50 from hotspots where entity = 'Offline Freight'");
      long alert = TestDatabase.queryLong(url, "select id from alerts where entity = 'Offline Freight'");
      engine = setup.start();
      browser.waitUntil("the alert written while the bridge was down, loaded after the reconnect",
        "document.querySelector('#connection').textContent === 'live'"
          + " && document.querySelector('#alerts li[data-alert-id=\"" + alert + "\"]') !== null", Duration.ofSeconds(30));
      assertThat(browser.exceptions()).as("JavaScript exceptions in the page%s", browser.diagnostics()).isEmpty();
    } finally {
      engine.close();
    }
  }

  @Test
  void aRoutesHotspotReadThroughOneLaneNamesThatLanesSupplierInItsRow() throws Exception {
    Optional<Path> binary = Chromium.find();
    assumeTrue(binary.isPresent(), Chromium::notFoundMessage);
    TestEngine setup = quickDashboard(TestEngine.onNewDatabase());
    String url = setup.dbUrl();
    try (Engine engine = setup.start(); Chromium browser = Chromium.launch(binary.get())) {
      browser.navigate("http://127.0.0.1:" + setup.port() + "/");
      browser.waitUntil("#connection reads 'live'", "document.body.dataset.ready === 'true'"
        + " && document.querySelector('#connection')?.textContent === 'live'", PAGE_LOAD);
      // What detection commits and publishes when a route's burst is on one supplier's lane.
      TestDatabase.execute(url, "insert into hotspots (entity_type, entity, predicted, baseline, percent_above, severity,"
        + " opened_at, updated_at, \"window\", kind, lane_supplier) values ('route', 'R-LANE', 1100, 1000, 10, 'warn',"
        + " now(), now(), '1h', 'emissions', 'Lane Freight')");
      long id = TestDatabase.queryLong(url, "select id from hotspots where entity = 'R-LANE'");
      java.time.Instant now = java.time.Instant.now();
      engine.vertx().eventBus().publish(io.carbonnexus.engine.shared.Addresses.HOTSPOTS,
        new io.carbonnexus.engine.shared.Hotspot(id, "R-LANE", io.carbonnexus.engine.shared.EntityType.ROUTE, 1100, 1000,
          10, io.carbonnexus.engine.shared.Severity.WARN, io.carbonnexus.engine.shared.HotspotStatus.OPEN, now, now, null,
          io.carbonnexus.engine.shared.HotspotChange.OPENED, "1h", "emissions", 1000.0, "Lane Freight").toJson());
      browser.waitUntil("the route's row naming the lane's supplier",
        "[...document.querySelectorAll('#hotspots tr[data-hotspot-id]')].some(r => r.dataset.entity === 'R-LANE'"
          + " && r.querySelector('td.entity .lane-note')?.textContent === 'via Lane Freight')", LIVE);
      assertThat(browser.evaluate("[...document.querySelectorAll('#hotspots td.entity .lane-note')].length"))
        .as("a lane note on that row only").isEqualTo(1);
      assertThat(browser.exceptions()).as("JavaScript exceptions in the page%s", browser.diagnostics()).isEmpty();
    }
  }

  private static List<Object> list(Object jsonArray) {
    return ((io.vertx.core.json.JsonArray) jsonArray).getList();
  }

  private static String barLink() {
    return "#chart a.bar-link[data-entity=" + Json.encode(SUPPLIER) + "]";
  }

  private static void waitForHistory(Chromium browser, String where) throws InterruptedException {
    browser.waitUntil("the history chart drawn with data on " + where, "document.body.dataset.ready === 'true'"
      + " && document.body.dataset.historyReady === 'true'"
      + " && document.querySelector('#history-chart canvas') !== null"
      + " && +document.querySelector('#history-chart').dataset.points > 0", PAGE_LOAD);
  }

  private static void setTarget(int port, double baseline) {
    Http.Response response = Http.put(port, "/targets", new JsonObject().put("entity_type", "supplier")
      .put("entity", SUPPLIER).put("baseline", baseline).encode());
    assertThat(response.status()).as("PUT /targets: %s", response.body()).isEqualTo(200);
  }

  @Test
  void eachAlertSaysWhereItsNotificationWasDelivered() throws Exception {
    Optional<Path> binary = Chromium.find();
    assumeTrue(binary.isPresent(), Chromium::notFoundMessage);
    TestEngine setup = quickDashboard(TestEngine.onNewDatabase());
    String url = setup.dbUrl();
    int port = setup.port();
    Vertx receiverVertx = Vertx.vertx();
    FakeReceiver receiver = FakeReceiver.start(receiverVertx);
    setup.with(ConfigKeys.NOTIFY_WEBHOOK_URL, receiver.url())
      .with(ConfigKeys.NOTIFY_GROUP_WAIT, "100ms")
      .with(ConfigKeys.NOTIFY_POLL_INTERVAL, "100ms");
    try (Engine engine = setup.start(); Chromium browser = Chromium.launch(binary.get())) {
      TestDatabase.execute(url, EVENTS);
      TestDatabase.waitFor("the five events predicted",
        () -> TestDatabase.queryLong(url, "select count(*) from predictions") == 5, Duration.ofSeconds(10));
      setTarget(port, 1); // critical at once: an alert, routed to the webhook
      TestDatabase.waitFor("the alert's notification sent", () -> TestDatabase.queryLong(url,
        "select count(*) from notifications where status = 'sent' and receiver = 'webhook'") == 1, LIVE);

      browser.navigate("http://127.0.0.1:" + port + "/");
      browser.waitUntil("the alert says it was sent to the webhook",
        "[...document.querySelectorAll('#alerts .delivery-sent')].some(e => e.textContent === 'webhook · sent')", LIVE);
      long alertId = TestDatabase.queryLong(url, "select min(id) from alerts");
      assertThat(browser.evaluate("document.querySelector('#alerts [data-alert-id=\"" + alertId + "\"] .delivery')"
        + "?.title")).as("the chip's details").isEqualTo("webhook: sent after 1 attempt");
      assertThat(browser.consoleErrors()).as("console.error calls in the page%s", browser.diagnostics()).isEmpty();
    } finally {
      receiver.close();
      receiverVertx.close().await();
    }
  }

  /** No demo data, and a pipeline quick enough that what a test inserts reaches the page within seconds. */
  static TestEngine quickDashboard(TestEngine setup) {
    return setup.with(ConfigKeys.DEMO, "false")
      .with(ConfigKeys.DETECTION_FAST_PATH_DELAY, "20ms")
      .with(ConfigKeys.INGESTION_POLL_INTERVAL, "200ms");
  }
}
