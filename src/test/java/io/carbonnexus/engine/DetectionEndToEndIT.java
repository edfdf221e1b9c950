package io.carbonnexus.engine;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.support.TempDirs;
import io.carbonnexus.engine.support.TestDatabase;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole detection path in a running engine: rows inserted into events_normalized by another
 * producer become stored, published hotspots; editing conf/config.yaml re-classifies them live.
 */
class DetectionEndToEndIT {

  private static final String EVENTS = """
    insert into events_normalized (occurred_at, supplier, route, vehicle_type, distance_km, load_tonnes)
    select now() - (g || ' minutes')::interval, 'Supplier A', 'R12', 'hgv_diesel', 100, 10 from generate_series(1, 12) g
    """; // 12 x 101.63 kg = 1219.56 kg tank-to-wheel (the basis this test configures)

  @Test
  void insertedRowsBecomePublishedHotspotsAndAConfigEditReclassifiesThemLive(@TempDir Path dir) throws Exception {
    String url = TestDatabase.get().createDatabase();
    int port = TempDirs.freePort();
    Path conf = dir.resolve("config.yaml");
    Files.writeString(conf, yaml(url, port, 1.5));
    try (Engine engine = Engine.start(new Engine.Options(conf, true, Map.of(), new JsonObject()))) {
      List<JsonObject> hotspots = new CopyOnWriteArrayList<>();
      List<JsonObject> alerts = new CopyOnWriteArrayList<>();
      engine.vertx().eventBus().<JsonObject>consumer(Addresses.HOTSPOTS, m -> hotspots.add(m.body()));
      engine.vertx().eventBus().<JsonObject>consumer(Addresses.ALERTS, m -> alerts.add(m.body()));
      TestDatabase.execute(url, "insert into baselines (entity_type, entity, baseline, source) values"
        + " ('supplier', 'Supplier A', 600, 'target')");

      long t0 = System.nanoTime();
      TestDatabase.execute(url, EVENTS);
      TestDatabase.waitFor("a published hotspot", () -> !hotspots.isEmpty(), Duration.ofSeconds(5));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      JsonObject h = hotspots.get(0);
      assertThat(h.getString("entity")).isEqualTo("Supplier A");
      assertThat(h.getString("entity_type")).isEqualTo("supplier");
      assertThat(h.getDouble("predicted")).isEqualTo(1219.56);
      assertThat(h.getDouble("baseline")).isEqualTo(600.0);
      assertThat(h.getInteger("percent_above")).isEqualTo(103);
      assertThat(h.getString("severity")).isEqualTo("critical");
      assertThat(ms).as("insert -> published hotspot on the fast path").isLessThan(1_000);
      assertThat(TestDatabase.queryLong(url, "select count(*) from hotspots where status = 'open'")).isEqualTo(1);
      TestDatabase.waitFor("an alert", () -> !alerts.isEmpty(), Duration.ofSeconds(5));
      assertThat(alerts.get(0).getString("message")).isEqualTo("Supplier A exceeded emissions by 103%");
      assertThat(alerts.get(0).getString("level")).isEqualTo("critical");
      assertThat(alerts.get(0).getLong("hotspot_id")).isEqualTo(h.getLong("id"));

      // 2.03 x baseline is below a critical threshold of 2.5 (by more than the hysteresis): warn.
      Files.writeString(conf, yaml(url, port, 2.5));
      TestDatabase.waitFor("re-classified", () -> hotspots.size() >= 2, Duration.ofSeconds(10));
      assertThat(hotspots.get(1).getString("change")).isEqualTo("deescalated");
      assertThat(hotspots.get(1).getString("severity")).isEqualTo("warn");
    }
  }

  private static String yaml(String url, int port, double critical) {
    return """
      http:
        port: %d
      db:
        url: "%s"
      demo: false
      emissions:
        basis: ttw
      config:
        scan_period: 200ms
      detection:
        fast_path_delay: 20ms
      thresholds:
        critical: %s
      """.formatted(port, url, critical);
  }
}
