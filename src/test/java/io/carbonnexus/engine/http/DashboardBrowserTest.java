package io.carbonnexus.engine.http;

import io.carbonnexus.engine.Engine;
import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.support.Chromium;
import io.carbonnexus.engine.support.Http;
import io.carbonnexus.engine.support.TempDirs;
import io.carbonnexus.engine.support.TestDatabase;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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
class DashboardBrowserTest {

  private static final Logger LOG = LoggerFactory.getLogger(DashboardBrowserTest.class);

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
    String url = TestDatabase.get().createDatabase();
    int port = TempDirs.freePort();
    try (Engine engine = Engine.start(options(url, port)); Chromium browser = Chromium.launch(binary.get())) {
      try {
        browser.navigate("http://127.0.0.1:" + port + "/");
        browser.waitUntil("the page finished its first REST load (body[data-ready=true])",
          "document.body.dataset.ready === 'true'", PAGE_LOAD);
        browser.waitUntil("#connection reads 'live' (SockJS bridge open)",
          "document.querySelector('#connection')?.textContent === 'live'", PAGE_LOAD);
        assertThat(browser.evaluate(ROWS + ".length")).as("rows for %s before its hotspot exists", SUPPLIER)
          .isEqualTo(0);
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

  private static void setTarget(int port, double baseline) {
    Http.Response response = Http.put(port, "/targets", new JsonObject().put("entity_type", "supplier")
      .put("entity", SUPPLIER).put("baseline", baseline).encode());
    assertThat(response.status()).as("PUT /targets: %s", response.body()).isEqualTo(200);
  }

  private static Engine.Options options(String url, int port) {
    JsonObject overrides = new JsonObject();
    ConfigKeys.DB_URL.put(overrides, url);
    ConfigKeys.HTTP_PORT.put(overrides, port);
    ConfigKeys.DEMO.put(overrides, "false");
    ConfigKeys.DETECTION_FAST_PATH_DELAY.put(overrides, "20ms");
    ConfigKeys.INGESTION_POLL_INTERVAL.put(overrides, "200ms");
    return new Engine.Options(Path.of("conf/config.yaml"), true, Map.of(), overrides);
  }
}
