package io.carbonnexus.engine.notify;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.support.FakeReceiver;
import io.carbonnexus.engine.support.TestDatabase;
import io.carbonnexus.engine.support.VerticleTestBed;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Stored alerts reach receivers (fake HTTP servers on 127.0.0.1) once, grouped, signed, and logged. */
class NotificationVerticleIT extends VerticleTestBed {

  private static final String SECRET = "webhook-secret";

  private FakeReceiver hook;
  private long hotspotId;
  private int alertCount;

  @BeforeEach
  void setUp() {
    hotspotId = hotspot("supplier", "Supplier A");
    hook = FakeReceiver.start(vertx);
  }

  private long hotspot(String type, String entity) {
    TestDatabase.execute(url, "insert into hotspots (entity_type, entity, predicted, baseline, percent_above, severity,"
      + " opened_at, updated_at) values ('" + type + "', '" + entity + "', 132, 60, 120, 'critical', now(), now())");
    return TestDatabase.queryLong(url, "select max(id) from hotspots");
  }

  /** What alerting does: the alert and its outbox row in one transaction. */
  private long alert(long hotspot, String entity, String kind) {
    int n = ++alertCount;
    TestDatabase.execute(url, "with a as (insert into alerts (level, message, hotspot_id, kind, dedup_key, created_at,"
      + " entity_type, entity, percent_above) values ('critical', '" + entity + " exceeded emissions by 120%', " + hotspot
      + ", '" + kind + "', 'k" + n + "', now(), 'supplier', '" + entity + "', 120) returning id)"
      + " insert into notification_outbox (alert_id) select id from a");
    return TestDatabase.queryLong(url, "select max(id) from alerts");
  }

  private JsonObject config(JsonArray receivers, JsonArray routes) {
    JsonObject config = this.config.copy();
    ConfigKeys.NOTIFY_RECEIVERS.put(config, receivers);
    ConfigKeys.NOTIFY_ROUTES.put(config, routes);
    ConfigKeys.NOTIFY_GROUP_WAIT.put(config, "0s");
    ConfigKeys.NOTIFY_GROUP_INTERVAL.put(config, "0s");
    ConfigKeys.NOTIFY_RETRY_FIRST.put(config, "100ms");
    ConfigKeys.NOTIFY_RETRY_MAX.put(config, "400ms");
    ConfigKeys.NOTIFY_TIMEOUT.put(config, "500ms");
    ConfigKeys.NOTIFY_POLL_INTERVAL.put(config, "100ms");
    ConfigKeys.NOTIFY_EXTERNAL_URL.put(config, "https://nexus.example.com/");
    return config;
  }

  private JsonObject webhookReceiver() {
    return new JsonObject().put("name", "ops").put("kind", "webhook").put("url", hook.url() + "/hook")
      .put("secret", SECRET).put("headers", new JsonObject().put("X-Team", "logistics"));
  }

  private String deploy(JsonObject config, int instances) {
    return vertx.deployVerticle(() -> new NotificationVerticle(), new DeploymentOptions().setConfig(config)
      .setInstances(instances)).await();
  }

  private String deploy(JsonObject config) {
    return deploy(config, 1);
  }

  private static String hmac(String timestamp, byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
    return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
  }

  private String status(long notification) {
    return (String) TestDatabase.queryValue(url, "select status from notifications where id = " + notification);
  }

  @Test
  void anAlertReachesAWebhookOnceThroughAFailureAStallAndAClosedConnection() throws Exception {
    hook.answer(FakeReceiver.status(500), FakeReceiver.STALL, FakeReceiver.CLOSE);
    deploy(config(new JsonArray().add(webhookReceiver()), new JsonArray()));
    alert(hotspotId, "Supplier A", "firing");
    TestDatabase.waitFor("the webhook accepting it", () -> hook.accepted().size() == 1, Duration.ofSeconds(15));
    Thread.sleep(1000);
    assertThat(hook.accepted()).hasSize(1);
    assertThat(hook.requests()).hasSize(4);
    assertThat(hook.requests().stream().map(r -> r.header("X-Nexus-Notification-Id")).distinct().toList())
      .as("one notification id across retries").hasSize(1).doesNotContainNull();
    TestDatabase.waitFor("recorded as sent", () -> TestDatabase.queryLong(url,
      "select count(*) from notifications where status = 'sent' and attempts = 4") == 1, Duration.ofSeconds(5));
  }

  @Test
  void theWebhookRequestIsSignedOverTheTimestampAndTheBody() throws Exception {
    deploy(config(new JsonArray().add(webhookReceiver()), new JsonArray()));
    alert(hotspotId, "Supplier A", "firing");
    TestDatabase.waitFor("a request", () -> hook.accepted().size() == 1, Duration.ofSeconds(10));
    FakeReceiver.Received r = hook.accepted().get(0);
    String timestamp = r.header("X-Nexus-Timestamp");
    assertThat(Long.parseLong(timestamp)).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(60L));
    assertThat(r.header("X-Nexus-Signature")).isEqualTo(hmac(timestamp, r.body().getBytes()));
    assertThat(r.header("X-Team")).isEqualTo("logistics");
    assertThat(r.header("Content-Type")).isEqualTo("application/json");
  }

  @Test
  void theWebhookBodyIsAnAlertmanagerVersion4Payload() throws Exception {
    deploy(config(new JsonArray().add(webhookReceiver()), new JsonArray()));
    long alertId = alert(hotspotId, "Supplier A", "firing");
    TestDatabase.waitFor("a request", () -> hook.accepted().size() == 1, Duration.ofSeconds(10));
    JsonObject body = hook.accepted().get(0).body().toJsonObject();
    assertThat(body.fieldNames()).contains("version", "status", "receiver", "groupKey", "groupLabels", "commonLabels",
      "commonAnnotations", "externalURL", "alerts", "truncatedAlerts");
    assertThat(body.getString("version")).isEqualTo("4");
    assertThat(body.getString("status")).isEqualTo("firing");
    assertThat(body.getString("receiver")).isEqualTo("ops");
    assertThat(body.getString("externalURL")).isEqualTo("https://nexus.example.com/");
    JsonObject a = body.getJsonArray("alerts").getJsonObject(0);
    assertThat(a.getString("status")).isEqualTo("firing");
    assertThat(a.getJsonObject("labels")).isEqualTo(new JsonObject().put("alertname", "CarbonEmissionsHotspot")
      .put("severity", "critical").put("entity_type", "supplier").put("entity", "Supplier A"));
    assertThat(a.getJsonObject("annotations").getString("summary")).isEqualTo("Supplier A exceeded emissions by 120%");
    assertThat(a.getJsonObject("annotations").getString("description")).contains("120% above its baseline");
    assertThat(java.time.Instant.parse(a.getString("startsAt"))).isNotNull();
    assertThat(a.getString("endsAt")).isEqualTo("0001-01-01T00:00:00Z");
    assertThat(a.getString("fingerprint")).matches("[0-9a-f]{16}");
    assertThat(a.getString("generatorURL")).isEqualTo("https://nexus.example.com/#hotspot=" + hotspotId);
    assertThat(body.getJsonObject("commonLabels").getString("entity")).isEqualTo("Supplier A");
    assertThat(TestDatabase.queryLong(url, "select alert_ids[1] from notifications")).isEqualTo(alertId);
  }

  @Test
  void twentyAlertsWithinGroupWaitBecomeOneMessageListingTwenty() throws Exception {
    JsonObject config = config(new JsonArray().add(webhookReceiver()),
      new JsonArray().add(new JsonObject().put("receiver", "ops").put("group_by", new JsonArray().add("entity_type"))
        .put("group_wait", "5s")));
    deploy(config);
    long[] hotspots = new long[20];
    for (int i = 0; i < 20; i++) {
      hotspots[i] = hotspot("supplier", "Supplier " + i);
    }
    long start = System.nanoTime();
    for (int i = 0; i < 20; i++) {
      alert(hotspots[i], "Supplier " + i, "firing");
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the burst fits in group_wait").isLessThan(Duration.ofSeconds(4));
    TestDatabase.waitFor("a message", () -> hook.accepted().size() == 1, Duration.ofSeconds(15));
    Thread.sleep(1000);
    assertThat(hook.requests()).hasSize(1);
    JsonObject body = hook.accepted().get(0).body().toJsonObject();
    assertThat(body.getJsonArray("alerts")).hasSize(20);
    assertThat(body.getJsonObject("groupLabels")).isEqualTo(new JsonObject().put("entity_type", "supplier"));
    assertThat(body.getString("groupKey")).isEqualTo("route0:{entity_type=\"supplier\"}");
  }

  @Test
  void aClientErrorIsRecordedAsFailedAndNotRetried() throws Exception {
    hook.otherwise(FakeReceiver.status(404));
    deploy(config(new JsonArray().add(webhookReceiver()), new JsonArray()));
    alert(hotspotId, "Supplier A", "firing");
    TestDatabase.waitFor("a failure recorded", () -> TestDatabase.queryLong(url,
      "select count(*) from notifications where status = 'failed'") == 1, Duration.ofSeconds(10));
    Thread.sleep(800);
    assertThat(hook.requests()).hasSize(1);
    JsonArray log = vertx.eventBus().<JsonArray>request(Addresses.NOTIFICATIONS_LIST, new JsonObject()
      .put("status", "failed")).await().body();
    assertThat(log).hasSize(1);
    assertThat(log.getJsonObject(0).getInteger("attempts")).isEqualTo(1);
    assertThat(log.getJsonObject(0).getInteger("last_status")).isEqualTo(404);
    assertThat(log.getJsonObject(0).getString("last_error")).startsWith("HTTP 404");
    assertThat(log.getJsonObject(0).getString("receiver")).isEqualTo("ops");
  }

  @Test
  void tooManyRequestsIsRetried() throws Exception {
    hook.answer(FakeReceiver.status(429));
    deploy(config(new JsonArray().add(webhookReceiver()), new JsonArray()));
    alert(hotspotId, "Supplier A", "firing");
    TestDatabase.waitFor("sent after a retry", () -> hook.accepted().size() == 1, Duration.ofSeconds(10));
    assertThat(hook.requests()).hasSize(2);
  }

  @Test
  void pendingNotificationsAreSentExactlyOnceAfterARestart() throws Exception {
    JsonObject config = config(new JsonArray().add(webhookReceiver()),
      new JsonArray().add(new JsonObject().put("receiver", "ops").put("group_by", new JsonArray().add("entity"))
        .put("group_wait", "4s")));
    // The group wait must outlast routing five alerts and the undeploy, even on a loaded machine:
    // nothing may be sent before the restart.
    String first = deploy(config);
    for (int i = 0; i < 5; i++) {
      alert(hotspot("supplier", "Routed " + i), "Routed " + i, "firing");
    }
    TestDatabase.waitFor("routed, waiting for group_wait", () -> TestDatabase.queryLong(url,
      "select count(*) from notifications where status = 'pending'") == 5, Duration.ofSeconds(5));
    vertx.undeploy(first).await();
    // Alerts stored while no notify verticle runs wait in the outbox.
    for (int i = 0; i < 3; i++) {
      alert(hotspot("supplier", "Queued " + i), "Queued " + i, "firing");
    }
    assertThat(hook.requests()).isEmpty();
    deploy(config, 2);
    TestDatabase.waitFor("eight messages", () -> hook.accepted().size() == 8, Duration.ofSeconds(15));
    Thread.sleep(1000);
    assertThat(hook.requests()).hasSize(8);
    Set<String> entities = new HashSet<>();
    for (FakeReceiver.Received r : hook.requests()) {
      r.body().toJsonObject().getJsonArray("alerts").forEach(a -> assertThat(entities.add(
        ((JsonObject) a).getJsonObject("labels").getString("entity"))).isTrue());
    }
    assertThat(entities).hasSize(8);
    assertThat(TestDatabase.queryLong(url, "select count(*) from notification_outbox")).isZero();
  }

  @Test
  void severalInstancesSendEachMessageOnce() throws Exception {
    JsonObject config = config(new JsonArray().add(webhookReceiver()),
      new JsonArray().add(new JsonObject().put("receiver", "ops").put("group_by", new JsonArray().add("entity"))));
    deploy(config, 3);
    for (int i = 0; i < 12; i++) {
      alert(hotspot("supplier", "Entity " + i), "Entity " + i, "firing");
    }
    TestDatabase.waitFor("twelve messages", () -> hook.accepted().size() == 12, Duration.ofSeconds(15));
    Thread.sleep(800);
    assertThat(hook.requests()).hasSize(12);
    assertThat(hook.requests().stream().map(r -> r.header("X-Nexus-Notification-Id")).distinct()).hasSize(12);
  }

  @Test
  void aReceiverTestSendsOneMessageAndAnswersItsLogEntry() throws Exception {
    deploy(config(new JsonArray().add(webhookReceiver()), new JsonArray()));
    JsonObject entry = vertx.eventBus().<JsonObject>request(Addresses.RECEIVER_TEST, new JsonObject()
      .put("receiver", "ops")).await().body();
    assertThat(entry.getString("status")).isEqualTo("sent");
    assertThat(entry.getString("route")).isEqualTo("test");
    assertThat(hook.accepted()).hasSize(1);
    assertThat(hook.accepted().get(0).header("X-Nexus-Notification-Id")).isEqualTo(entry.getString("notification_id"));
    assertThat(hook.accepted().get(0).body().toJsonObject().getJsonArray("alerts").getJsonObject(0)
      .getJsonObject("annotations").getString("summary")).contains("Test notification");
  }

  @Test
  void changedReceiversApplyWithoutARestartAndABadChangeIsIgnored() throws Exception {
    deploy(config(new JsonArray().add(webhookReceiver()), new JsonArray()));
    JsonObject renamed = new JsonObject().put("receivers", new JsonArray().add(webhookReceiver().put("name", "ops2")));
    vertx.eventBus().publish(Addresses.NOTIFY_SETTINGS, renamed);
    vertx.eventBus().publish(Addresses.NOTIFY_SETTINGS, new JsonObject().put("receivers", new JsonArray()
      .add(new JsonObject().put("name", "broken").put("kind", "pager"))));
    Thread.sleep(200);
    JsonObject entry = vertx.eventBus().<JsonObject>request(Addresses.RECEIVER_TEST, new JsonObject()
      .put("receiver", "ops2")).await().body();
    assertThat(entry.getString("status")).isEqualTo("sent");
    assertThatThrownBy(() -> vertx.eventBus().request(Addresses.RECEIVER_TEST, new JsonObject().put("receiver", "ops"))
      .await()).isInstanceOf(ReplyException.class);
  }

  @Test
  void aTestOfAnUnknownReceiverIsNotFound() {
    deploy(config(new JsonArray().add(webhookReceiver()), new JsonArray()));
    assertThatThrownBy(() -> vertx.eventBus().request(Addresses.RECEIVER_TEST, new JsonObject().put("receiver", "nope"))
      .await())
      .isInstanceOfSatisfying(ReplyException.class, e -> assertThat(e.failureCode()).isEqualTo(2));
  }

  @Test
  void theLogListsDeliveriesByReceiverAndAlert() throws Exception {
    FakeReceiver slack = FakeReceiver.start(vertx);
    try {
      deploy(config(new JsonArray().add(webhookReceiver())
        .add(new JsonObject().put("name", "team").put("kind", "slack").put("url", slack.url() + "/services/x")), new JsonArray()));
      long alertId = alert(hotspotId, "Supplier A", "firing");
      TestDatabase.waitFor("both sent", () -> TestDatabase.queryLong(url,
        "select count(*) from notifications where status = 'sent'") == 2, Duration.ofSeconds(10));
      JsonArray forTeam = vertx.eventBus().<JsonArray>request(Addresses.NOTIFICATIONS_LIST,
        new JsonObject().put("receiver", "team")).await().body();
      assertThat(forTeam).hasSize(1);
      assertThat(forTeam.getJsonObject(0).getString("receiver_kind")).isEqualTo("slack");
      assertThat(forTeam.getJsonObject(0).getJsonArray("alert_ids")).containsExactly(alertId);
      assertThat(forTeam.getJsonObject(0).getString("sent_at")).isNotNull();
      JsonArray forAlert = vertx.eventBus().<JsonArray>request(Addresses.NOTIFICATIONS_LIST,
        new JsonObject().put("alert_id", alertId)).await().body();
      assertThat(forAlert).hasSize(2);
      JsonArray none = vertx.eventBus().<JsonArray>request(Addresses.NOTIFICATIONS_LIST,
        new JsonObject().put("alert_id", alertId + 1)).await().body();
      assertThat(none).isEmpty();
    } finally {
      slack.close();
    }
  }

  @Test
  void aSlackMessageSaysTheEntityThePercentTheTopRecommendationAndLinksTheDashboard() throws Exception {
    FakeReceiver slack = FakeReceiver.start(vertx);
    try {
      TestDatabase.execute(url, "insert into recommendations (hotspot_id, entity, severity, root_cause, actions, source)"
        + " values (" + hotspotId + ", 'Supplier A', 'critical', 'More trucks', '[{\"title\":\"Shift 20% to rail\","
        + "\"co2_reduction\":18,\"cost_impact\":2,\"feasibility\":9}]', 'rules')");
      deploy(config(new JsonArray().add(new JsonObject().put("name", "team").put("kind", "slack")
        .put("url", slack.url() + "/services/x")), new JsonArray()));
      alert(hotspotId, "Supplier A", "firing");
      TestDatabase.waitFor("a message", () -> slack.accepted().size() == 1, Duration.ofSeconds(10));
      JsonObject body = slack.accepted().get(0).body().toJsonObject();
      assertThat(body.getString("text")).contains("<https://nexus.example.com/|open the dashboard>");
      JsonObject attachment = body.getJsonArray("attachments").getJsonObject(0);
      assertThat(attachment.getString("color")).isEqualTo("#d00000");
      assertThat(attachment.getString("text")).contains("Supplier A").contains("120% above baseline")
        .contains("Top recommendation: Shift 20% to rail");
      assertThat(attachment.getString("title")).isEqualTo("[CRITICAL] Supplier A exceeded emissions by 120%");
      assertThat(slack.accepted().get(0).header("X-Nexus-Signature")).isNull();
    } finally {
      slack.close();
    }
  }

  @Test
  void resolutionsAreLeftOutForARouteThatDoesNotSendThem() throws Exception {
    deploy(config(new JsonArray().add(webhookReceiver()),
      new JsonArray().add(new JsonObject().put("receiver", "ops").put("send_resolved", false))));
    alert(hotspotId, "Supplier A", "resolved");
    alert(hotspotId, "Supplier A", "firing");
    TestDatabase.waitFor("a message", () -> hook.accepted().size() == 1, Duration.ofSeconds(10));
    Thread.sleep(500);
    List<String> statuses = hook.accepted().get(0).body().toJsonObject().getJsonArray("alerts").stream()
      .map(a -> ((JsonObject) a).getString("status")).toList();
    assertThat(statuses).containsExactly("firing");
    assertThat(hook.requests()).hasSize(1);
  }
}
