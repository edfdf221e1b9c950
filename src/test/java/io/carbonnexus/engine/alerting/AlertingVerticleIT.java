package io.carbonnexus.engine.alerting;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.EntityType;
import io.carbonnexus.engine.shared.Hotspot;
import io.carbonnexus.engine.shared.HotspotChange;
import io.carbonnexus.engine.shared.HotspotStatus;
import io.carbonnexus.engine.shared.Severity;
import io.carbonnexus.engine.support.FreshDatabase;
import io.carbonnexus.engine.support.MutableClock;
import io.carbonnexus.engine.support.TestDatabase;
import io.carbonnexus.engine.support.VerticleTestBed;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Hotspot changes, as detection publishes them, become stored and published alerts. */
class AlertingVerticleIT extends VerticleTestBed {

  private static final Instant T0 = Instant.parse("2026-11-27T08:00:00Z");

  private MutableClock clock;
  private long hotspotId;
  private List<JsonObject> alerts;

  @BeforeEach
  void setUp() {
    TestDatabase.execute(url, "insert into hotspots (entity_type, entity, predicted, baseline, percent_above, severity,"
      + " opened_at, updated_at) values ('supplier', 'Supplier A', 132, 60, 120, 'critical', now(), now())");
    hotspotId = TestDatabase.queryLong(url, "select id from hotspots");
    clock = new MutableClock(T0);
    ConfigKeys.ALERTING_REPEAT_INTERVAL.put(config, "4s"); // checked every second
    alerts = collect(Addresses.ALERTS);
    deploy(new AlertingVerticle(clock));
  }

  /** What detection does: commit the hotspot's new state, then publish the change. */
  private void change(String change, Severity severity, int percent, Instant at) {
    TestDatabase.execute(url, "update hotspots set severity = '" + severity.wire() + "', percent_above = " + percent
      + ", status = '" + (change.equals("resolved") ? "resolved" : "open") + "', updated_at = '" + at + "'"
      + (change.equals("resolved") ? ", resolved_at = '" + at + "'" : ""));
    vertx.eventBus().publish(Addresses.HOTSPOTS, new Hotspot(hotspotId, "Supplier A", "supplier", 60 * (1 + percent / 100.0),
      60, percent, severity, change.equals("resolved") ? "resolved" : "open", T0, at, null, change).toJson());
  }

  private long stored() {
    return TestDatabase.queryLong(url, "select count(*) from alerts");
  }

  private List<String> kinds() {
    return alerts.stream().map(a -> a.getString("kind") + "/" + a.getString("level")).collect(Collectors.toList());
  }

  @Test
  void everyStoredAlertEntersTheNotificationOutboxOnce() throws Exception {
    change("opened", Severity.CRITICAL, 120, T0);
    TestDatabase.waitFor("an alert", () -> alerts.size() == 1, Duration.ofSeconds(5));
    change("opened", Severity.CRITICAL, 120, T0); // redelivered: no second alert, no second outbox row
    Thread.sleep(300);
    assertThat(TestDatabase.queryLong(url, "select count(*) from notification_outbox")).isEqualTo(1);
    assertThat(TestDatabase.queryLong(url, "select alert_id from notification_outbox"))
      .isEqualTo(alerts.get(0).getLong("id"));
  }

  @Test
  void anOpenedHotspotRaisesOneAlertInTheSeedsShape() throws Exception {
    change("opened", Severity.CRITICAL, 120, T0);
    TestDatabase.waitFor("an alert", () -> alerts.size() == 1, Duration.ofSeconds(5));
    JsonObject a = alerts.get(0);
    assertThat(a.getString("level")).isEqualTo("critical");
    assertThat(a.getString("message")).isEqualTo("Supplier A exceeded emissions by 120%");
    assertThat(a.getLong("hotspot_id")).isEqualTo(hotspotId);
    assertThat(a.getLong("id")).isPositive();
    assertThat(a.getString("kind")).isEqualTo("firing");
    assertThat(stored()).isEqualTo(1);
  }

  @Test
  void anAlertOfARouteReadThroughOneLaneNamesTheSupplier() throws Exception {
    TestDatabase.execute(url, "update hotspots set entity_type = 'route', entity = 'DVR-LON', predicted = 1100,"
      + " baseline = 1000, percent_above = 10, severity = 'warn', \"window\" = '1h', lane_supplier = 'Meridian'");
    JsonObject hotspot = new Hotspot(hotspotId, "DVR-LON", EntityType.ROUTE, 1_100, 1_000, 10, Severity.WARN,
      HotspotStatus.OPEN, T0, T0, null, HotspotChange.OPENED, "1h", "emissions", 1_000.0, "Meridian").toJson();
    assertThat(hotspot.getString("lane_supplier")).isEqualTo("Meridian");
    vertx.eventBus().publish(Addresses.HOTSPOTS, hotspot);
    TestDatabase.waitFor("an alert", () -> alerts.size() == 1, Duration.ofSeconds(5));
    assertThat(alerts.get(0).getString("message"))
      .isEqualTo("DVR-LON exceeded emissions by 10% in the last 1h, from Meridian's shipments on it");
  }

  @Test
  void aMessageOnHotspotsThatIsNotAHotspotIsIgnoredAndAlertingGoesOn() throws Exception {
    List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    vertx.exceptionHandler(uncaught::add);
    for (JsonObject bad : List.of(new JsonObject(), new JsonObject().put("id", "x"), new JsonObject().put("id", 1)
      .put("entity", "E").put("entity_type", "supplier").put("severity", "loud").put("change", "opened"))) {
      vertx.eventBus().publish(Addresses.HOTSPOTS, bad);
    }
    vertx.eventBus().publish(Addresses.HOTSPOTS, new Hotspot(hotspotId, "Supplier A", "supplier", 132, 60, 120,
      Severity.CRITICAL, "open", T0, T0, null, "opened").toJson().put("change", "tilted"));
    change("opened", Severity.CRITICAL, 120, T0);
    TestDatabase.waitFor("the real change's alert", () -> alerts.size() == 1, Duration.ofSeconds(5));
    assertThat(TestDatabase.queryLong(url, "select count(*) from alerts")).isEqualTo(1);
    assertThat(uncaught).as("exceptions thrown by the alerting verticle's handlers").isEmpty();
  }

  @Test
  void theSameChangeHeardTwiceStoresOneAlert(FreshDatabase db) throws Exception {
    // A second alerting verticle hears every publish too, as a second node of a cluster would.
    vertx.deployVerticle(new AlertingVerticle(clock), new DeploymentOptions().setConfig(db.config())).await();
    change("opened", Severity.WARN, 10, T0);
    change("opened", Severity.WARN, 10, T0); // a redelivery, or a second node hearing the same publish
    TestDatabase.waitFor("an alert", () -> alerts.size() >= 1, Duration.ofSeconds(5));
    Thread.sleep(300);
    assertThat(stored()).isEqualTo(1);
    assertThat(alerts).hasSize(1);
  }

  @Test
  void aTimelineFiresEscalatesDeduplicatesAndResolves() throws Exception {
    // Detection evaluates at most every few hundred milliseconds; a change heard after a newer one
    // committed is stale and skipped (the latest state wins), so the timeline is paced.
    change("opened", Severity.WARN, 10, T0);
    Thread.sleep(200);
    change("updated", Severity.WARN, 12, T0.plusSeconds(10));
    Thread.sleep(200);
    change("escalated", Severity.CRITICAL, 60, T0.plusSeconds(20));
    Thread.sleep(200);
    change("deescalated", Severity.WARN, 40, T0.plusSeconds(30));
    Thread.sleep(200);
    change("resolved", Severity.WARN, -30, T0.plusSeconds(40));
    TestDatabase.waitFor("three alerts", () -> alerts.size() == 3, Duration.ofSeconds(5));
    Thread.sleep(300);
    assertThat(kinds()).containsExactly("firing/warn", "firing/critical", "resolved/critical");
    assertThat(alerts.get(2).getString("message")).isEqualTo("Supplier A is back within its emissions baseline (30% below)");
    assertThat(stored()).isEqualTo(3);
  }

  @Test
  void aStillFiringAlertRepeatsAfterTheIntervalUnlessAcknowledged() throws Exception {
    change("opened", Severity.CRITICAL, 120, T0);
    TestDatabase.waitFor("an alert", () -> alerts.size() == 1, Duration.ofSeconds(5));
    TestDatabase.execute(url, "update alerts set created_at = '" + T0 + "'");
    clock.advance(Duration.ofSeconds(10));
    TestDatabase.waitFor("a repeat", () -> alerts.size() == 2, Duration.ofSeconds(5));
    assertThat(kinds()).containsExactly("firing/critical", "repeat/critical");

    TestDatabase.execute(url, "update alerts set acknowledged_at = now()");
    clock.advance(Duration.ofMinutes(5));
    Thread.sleep(2_500);
    assertThat(alerts).hasSize(2);
  }

  @Test
  void aSilencedEntityRaisesNothing() throws Exception {
    TestDatabase.execute(url, "insert into silences (entity_type, entity, until, reason) values ('supplier', 'Supplier A', '"
      + T0.plus(Duration.ofHours(1)) + "', 'planned peak')");
    change("opened", Severity.CRITICAL, 120, T0);
    Thread.sleep(500);
    assertThat(alerts).isEmpty();
    assertThat(stored()).isZero();
  }

  @Test
  void aLateChangeForAHotspotResolvedSinceRaisesNothing() throws Exception {
    change("opened", Severity.WARN, 10, T0);
    TestDatabase.waitFor("fired", () -> alerts.size() == 1, Duration.ofSeconds(5));
    change("resolved", Severity.WARN, -30, T0.plusSeconds(20));
    TestDatabase.waitFor("fired and resolved", () -> alerts.size() == 2, Duration.ofSeconds(5));
    // An escalation from before the resolution, heard late (another node, a redelivery).
    vertx.eventBus().publish(Addresses.HOTSPOTS, new Hotspot(hotspotId, "Supplier A", "supplier", 96, 60, 60,
      Severity.CRITICAL, "open", T0, T0.plusSeconds(10), null, "escalated").toJson());
    Thread.sleep(500);
    assertThat(kinds()).containsExactly("firing/warn", "resolved/warn");
  }

  @Test
  void whenASilenceEndsAStillHotHotspotAlertsAndASwallowedResolutionIsSent() throws Exception {
    TestDatabase.execute(url, "insert into silences (entity_type, entity, until) values ('supplier', 'Supplier A', '"
      + T0.plusSeconds(30) + "')");
    change("opened", Severity.CRITICAL, 120, T0);
    Thread.sleep(300);
    assertThat(alerts).isEmpty();
    clock.advance(Duration.ofSeconds(31)); // the silence is over; the reconciler runs every second
    TestDatabase.waitFor("the alert after the silence", () -> alerts.size() == 1, Duration.ofSeconds(5));
    assertThat(kinds()).containsExactly("firing/critical");

    TestDatabase.execute(url, "insert into silences (entity_type, entity, until) values ('supplier', 'Supplier A', '"
      + T0.plusSeconds(90) + "')");
    change("resolved", Severity.CRITICAL, -20, T0.plusSeconds(40));
    Thread.sleep(300);
    assertThat(alerts).hasSize(1);
    clock.advance(Duration.ofSeconds(60));
    TestDatabase.waitFor("the resolution after the silence", () -> alerts.size() == 2, Duration.ofSeconds(5));
    assertThat(kinds()).containsExactly("firing/critical", "resolved/critical");
  }

  @Test
  void belowTheMinimumLevelNothingIsRaised() throws Exception {
    change("opened", Severity.INFO, -15, T0);
    Thread.sleep(200);
    change("resolved", Severity.INFO, -30, T0.plusSeconds(5));
    Thread.sleep(500);
    assertThat(stored()).isZero();
  }
}
