package io.carbonnexus.engine.notify;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.support.FakeReceiver;
import io.carbonnexus.engine.support.TestDatabase;
import io.carbonnexus.engine.support.VerticleTestBed;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Alerts pushed to an Alertmanager (a fake that checks the shape of POST /api/v2/alerts). */
class AlertmanagerReceiverIT extends VerticleTestBed {

  private FakeReceiver alertmanager;
  private long hotspotId;

  @BeforeEach
  void setUp() {
    alertmanager = FakeReceiver.start(vertx);
    TestDatabase.execute(url, "insert into hotspots (entity_type, entity, predicted, baseline, percent_above, severity,"
      + " opened_at, updated_at) values ('vehicle_type', 'hgv_diesel', 132, 60, 120, 'critical', now(), now())");
    hotspotId = TestDatabase.queryLong(url, "select id from hotspots");
    ConfigKeys.NOTIFY_ALERTMANAGER_URL.put(config, alertmanager.url() + "/");
    ConfigKeys.NOTIFY_ALERTMANAGER_REFRESH.put(config, "1s");
    ConfigKeys.NOTIFY_GROUP_WAIT.put(config, "0s");
    ConfigKeys.NOTIFY_POLL_INTERVAL.put(config, "100ms");
    ConfigKeys.NOTIFY_EXTERNAL_URL.put(config, "https://nexus.example.com");
    deploy(new NotificationVerticle());
  }

  private void alert(String kind) {
    TestDatabase.execute(url, "with a as (insert into alerts (level, message, hotspot_id, kind, dedup_key, created_at,"
      + " entity_type, entity, percent_above) values ('critical', 'hgv_diesel exceeded emissions by 120%', " + hotspotId
      + ", '" + kind + "', 'k-" + kind + "', now(), 'vehicle_type', 'hgv_diesel', 120) returning id)"
      + " insert into notification_outbox (alert_id) select id from a");
  }

  private List<JsonObject> pushed() {
    return alertmanager.accepted().stream()
      .peek(r -> assertThat(r.path()).isEqualTo("/api/v2/alerts"))
      .peek(r -> assertThat(r.method()).isEqualTo("POST"))
      .flatMap(r -> r.body().toJsonArray().stream().map(JsonObject.class::cast)).toList();
  }

  /** The shape Alertmanager's API v2 takes (postableAlerts): labels required, the rest optional. */
  private static void assertPostable(JsonObject a) {
    assertThat(a.fieldNames()).containsOnly("labels", "annotations", "startsAt", "endsAt", "generatorURL");
    a.getJsonObject("labels").forEach(e -> assertThat(e.getValue()).isInstanceOf(String.class));
    a.getJsonObject("annotations").forEach(e -> assertThat(e.getValue()).isInstanceOf(String.class));
    Instant.parse(a.getString("startsAt"));
    Instant.parse(a.getString("endsAt"));
  }

  @Test
  void aFiringAlertIsPushedWithAnEndThatLapsesUnlessRefreshed() throws Exception {
    Instant before = Instant.now();
    alert("firing");
    TestDatabase.waitFor("a push", () -> !pushed().isEmpty(), Duration.ofSeconds(10));
    JsonObject a = pushed().get(0);
    assertPostable(a);
    assertThat(a.getJsonObject("labels")).isEqualTo(new JsonObject().put("alertname", "CarbonEmissionsHotspot")
      .put("severity", "critical").put("entity_type", "vehicle_type").put("entity", "hgv_diesel"));
    assertThat(a.getJsonObject("annotations").getString("summary")).isEqualTo("hgv_diesel exceeded emissions by 120%");
    assertThat(Instant.parse(a.getString("endsAt"))).isBetween(before.plusSeconds(2), Instant.now().plusSeconds(4));
    assertThat(a.getString("generatorURL")).isEqualTo("https://nexus.example.com/#hotspot=" + hotspotId);
  }

  @Test
  void aFiringAlertIsPushedAgainWhileItFires() throws Exception {
    alert("firing");
    TestDatabase.waitFor("three pushes", () -> pushed().size() >= 3, Duration.ofSeconds(10));
    List<JsonObject> all = pushed();
    assertThat(all).allSatisfy(AlertmanagerReceiverIT::assertPostable);
    assertThat(Instant.parse(all.get(all.size() - 1).getString("endsAt")))
      .isAfter(Instant.parse(all.get(0).getString("endsAt")));
  }

  @Test
  void aResolutionEndsTheAlertAndStopsTheRefreshes() throws Exception {
    alert("firing");
    TestDatabase.waitFor("a push", () -> !pushed().isEmpty(), Duration.ofSeconds(10));
    TestDatabase.execute(url, "update hotspots set status = 'resolved', resolved_at = now() - interval '1 second'");
    alert("resolved");
    TestDatabase.waitFor("the resolution", () -> pushed().stream().anyMatch(a -> !Instant.parse(a.getString("endsAt"))
      .isAfter(Instant.now())), Duration.ofSeconds(10));
    int count = pushed().size();
    Thread.sleep(2500);
    assertThat(pushed()).as("no refresh after the resolution").hasSize(count);
  }
}
