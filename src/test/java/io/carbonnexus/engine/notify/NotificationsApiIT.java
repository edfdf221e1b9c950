package io.carbonnexus.engine.notify;

import io.carbonnexus.engine.StartupException;
import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.Hotspot;
import io.carbonnexus.engine.shared.Severity;
import io.carbonnexus.engine.support.EngineUnderTest;
import io.carbonnexus.engine.support.FakeReceiver;
import io.carbonnexus.engine.support.Http;
import io.carbonnexus.engine.support.TestDatabase;
import io.carbonnexus.engine.support.TestEngine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The whole engine: a hotspot change becomes an alert, the alert a signed webhook, the delivery a log entry. */
class NotificationsApiIT {

  private static final String TOKEN = "notify-test-token";
  private static final String[] AUTH = {"Authorization", "Bearer " + TOKEN};

  @RegisterExtension
  static final EngineUnderTest ENGINE = new EngineUnderTest();

  private static FakeReceiver hook;

  @BeforeAll
  static void start() {
    hook = FakeReceiver.start(ENGINE.client());
    ENGINE.start(TestEngine.onNewDatabase()
      .with(ConfigKeys.API_TOKEN, TOKEN)
      .with(ConfigKeys.NOTIFY_GROUP_WAIT, "0s")
      .with(ConfigKeys.NOTIFY_POLL_INTERVAL, "200ms")
      .env("NEXUS_NOTIFY_WEBHOOK_URL", hook.url() + "/carbon")
      .env("NEXUS_NOTIFY_WEBHOOK_SECRET", "s3cret"));
  }

  @Test
  void aHotspotChangeReachesTheWebhookAndTheDeliveryLog() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    TestDatabase.execute(ENGINE.dbUrl(), "insert into hotspots (entity_type, entity, predicted, baseline, percent_above, severity,"
      + " opened_at, updated_at) values ('supplier', 'Supplier E2E', 150, 60, 150, 'critical', '" + now + "', '" + now + "')");
    long hotspotId = TestDatabase.queryLong(ENGINE.dbUrl(), "select id from hotspots where entity = 'Supplier E2E'");
    ENGINE.vertx().eventBus().publish(Addresses.HOTSPOTS, new Hotspot(hotspotId, "Supplier E2E", "supplier", 150, 60, 150,
      Severity.CRITICAL, "open", now, now, null, "opened").toJson());
    TestDatabase.waitFor("the webhook", () -> hook.accepted().stream().anyMatch(r -> r.body().toString()
      .contains("Supplier E2E")), Duration.ofSeconds(15));
    FakeReceiver.Received r = hook.accepted().stream().filter(x -> x.body().toString().contains("Supplier E2E"))
      .findFirst().orElseThrow();
    assertThat(r.path()).isEqualTo("/carbon");
    assertThat(r.header("X-Nexus-Signature")).isEqualTo(Signature.sign("s3cret",
      Long.parseLong(r.header("X-Nexus-Timestamp")), r.body().getBytes()));
    long alertId = TestDatabase.queryLong(ENGINE.dbUrl(), "select id from alerts where hotspot_id = " + hotspotId);
    TestDatabase.waitFor("logged as sent", () -> Http.send(ENGINE.port(), "GET", "/notifications?alert_id=" + alertId, null)
      .array().stream().anyMatch(e -> "sent".equals(((JsonObject) e).getString("status"))), Duration.ofSeconds(5));
    JsonObject entry = Http.send(ENGINE.port(), "GET", "/notifications?alert_id=" + alertId + "&receiver=webhook", null).array()
      .getJsonObject(0);
    assertThat(entry.getString("notification_id")).isEqualTo(r.header("X-Nexus-Notification-Id"));
    assertThat(entry.getInteger("attempts")).isEqualTo(1);
    assertThat(Http.get(ENGINE.port(), "/metrics").body()).contains("nexus_notifications_sent_total{receiver=\"webhook\"");
  }

  @Test
  void aReceiverTestNeedsAWriteTokenAndAnswersTheLogEntry() {
    assertThat(Http.send(ENGINE.port(), "POST", "/receivers/webhook/test", null).status()).isEqualTo(401);
    Http.Response sent = Http.send(ENGINE.port(), "POST", "/receivers/webhook/test", null, AUTH);
    assertThat(sent.status()).isEqualTo(200);
    assertThat(sent.json().getString("status")).isEqualTo("sent");
    assertThat(sent.json().getString("receiver_kind")).isEqualTo("webhook");
    assertThat(hook.accepted().stream().map(x -> x.header("X-Nexus-Notification-Id")))
      .contains(sent.json().getString("notification_id"));
  }

  @Test
  void aTestOfAnUnknownReceiverIs404NamingTheKnownOnes() {
    Http.Response r = Http.send(ENGINE.port(), "POST", "/receivers/pager/test", null, AUTH);
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().getString("error")).isEqualTo("no receiver is named 'pager'");
  }

  @Test
  void theLogRefusesAnUnknownStatus() {
    Http.Response r = Http.send(ENGINE.port(), "GET", "/notifications?status=lost", null);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getString("error")).contains("status");
  }

  @Test
  void aBadReceiverStopsStartUpNamingIt() {
    TestEngine setup = TestEngine.onDatabase(ENGINE.dbUrl()).with(ConfigKeys.NOTIFY_RECEIVERS, new JsonArray()
      .add(new JsonObject().put("name", "team").put("kind", "slack")));
    assertThatThrownBy(setup::start)
      .isInstanceOf(StartupException.class)
      .hasMessageContaining("notify.receivers[0] 'team': url is required for a slack receiver");
  }
}
