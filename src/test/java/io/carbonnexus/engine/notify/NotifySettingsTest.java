package io.carbonnexus.engine.notify;

import io.carbonnexus.engine.config.ConfigException;
import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.shared.Severity;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Receivers and routes read from the configuration, and which alerts take which route. */
class NotifySettingsTest {

  private static final Instant T0 = Instant.parse("2026-11-27T08:00:00Z");

  static NotifyAlert alert(long id, Severity level, String kind, String type, String entity) {
    return new NotifyAlert(id, 100 + id, level, kind, entity + " exceeded emissions by 60%", type, entity, 60, T0, T0,
      "resolved".equals(kind) ? T0.plusSeconds(600) : null, "24h", "emissions");
  }

  private static JsonObject config(JsonArray receivers, JsonArray routes) {
    JsonObject config = new JsonObject();
    ConfigKeys.NOTIFY_RECEIVERS.put(config, receivers);
    ConfigKeys.NOTIFY_ROUTES.put(config, routes);
    return config;
  }

  private static JsonObject webhook(String name) {
    return new JsonObject().put("name", name).put("kind", "webhook").put("url", "http://127.0.0.1:9/" + name);
  }

  @Test
  void aReceiverOfAnUnknownKindStopsStartUpNamingIt() {
    JsonObject config = config(new JsonArray().add(webhook("ops"))
      .add(new JsonObject().put("name", "pager").put("kind", "pagerduty").put("url", "http://127.0.0.1:9/")), new JsonArray());
    assertThatThrownBy(() -> NotifySettings.of(config))
      .isInstanceOf(ConfigException.class)
      .hasMessage("notify.receivers[1] 'pager': kind 'pagerduty' is not webhook, slack, email or alertmanager");
  }

  @Test
  void aWebhookWithoutAnHttpUrlIsRefused() {
    JsonObject config = config(new JsonArray().add(webhook("ops").put("url", "ftp://example.com/secret-token")), new JsonArray());
    assertThatThrownBy(() -> NotifySettings.of(config))
      .hasMessage("notify.receivers[0] 'ops': url 'ftp://example.com/...' is not an http(s) URL")
      .hasMessageNotContaining("secret-token");
  }

  @Test
  void anEmailReceiverWithoutAnSmtpServerIsRefused() {
    JsonObject config = config(new JsonArray().add(new JsonObject().put("name", "mail").put("kind", "email")
      .put("to", new JsonArray().add("lead@example.com"))), new JsonArray());
    assertThatThrownBy(() -> NotifySettings.of(config)).hasMessageContaining("'mail': an e-mail receiver needs an SMTP server");
  }

  @Test
  void twoReceiversWithOneNameAreRefused() {
    JsonObject config = config(new JsonArray().add(webhook("ops")).add(webhook("ops")), new JsonArray());
    assertThatThrownBy(() -> NotifySettings.of(config)).hasMessage("notify.receivers[1] 'ops': another receiver has the same name");
  }

  @Test
  void aRouteToAnUnknownReceiverIsRefused() {
    JsonObject config = config(new JsonArray().add(webhook("ops")),
      new JsonArray().add(new JsonObject().put("receiver", "opps")));
    assertThatThrownBy(() -> NotifySettings.of(config)).hasMessage("notify.routes[0]: no receiver is named 'opps' (receivers: ops)");
  }

  @Test
  void aRouteGroupingByAnUnknownLabelIsRefused() {
    JsonObject config = config(new JsonArray().add(webhook("ops")),
      new JsonArray().add(new JsonObject().put("receiver", "ops").put("group_by", new JsonArray().add("supplier"))));
    assertThatThrownBy(() -> NotifySettings.of(config)).hasMessageContaining("notify.routes[0]: group_by: 'supplier'");
  }

  @Test
  void eachEnvironmentVariableAddsOneReceiverOfItsKind() {
    JsonObject config = new JsonObject();
    ConfigKeys.NOTIFY_WEBHOOK_URL.put(config, "http://127.0.0.1:9/hook");
    ConfigKeys.NOTIFY_WEBHOOK_SECRET.put(config, "s3cret");
    ConfigKeys.NOTIFY_SLACK_URL.put(config, "https://hooks.slack.com/services/T/B/X");
    ConfigKeys.NOTIFY_EMAIL_TO.put(config, "lead@example.com, planner@example.com");
    ConfigKeys.NOTIFY_SMTP_HOST.put(config, "smtp.example.com");
    ConfigKeys.NOTIFY_ALERTMANAGER_URL.put(config, "http://127.0.0.1:9093");
    NotifySettings s = NotifySettings.of(config);
    assertThat(s.receivers()).containsOnlyKeys("webhook", "slack", "email", "alertmanager");
    assertThat(s.receivers().get("webhook").secret()).isEqualTo("s3cret");
    assertThat(s.receivers().get("email").to()).containsExactly("lead@example.com", "planner@example.com");
    assertThat(s.receivers().get("email").smtp().port()).isEqualTo(587);
    assertThat(s.receivers().get("email").smtp().tls()).isEqualTo("starttls");
    assertThat(s.receivers().get("alertmanager").kind()).isEqualTo(Receiver.Kind.ALERTMANAGER);
  }

  @Test
  void aReceiverNoRouteNamesGetsEveryAlertThroughTheDefaultRoute() {
    NotifySettings s = NotifySettings.of(config(new JsonArray().add(webhook("ops")), new JsonArray()));
    List<Route> routes = s.routesFor(alert(1, Severity.INFO, "firing", "route", "Hamburg-Rotterdam"));
    assertThat(routes).extracting(Route::receiver, Route::name).containsExactly(org.assertj.core.groups.Tuple.tuple("ops", "default"));
    assertThat(routes.get(0).groupWait()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void aRouteTakesOnlyAlertsOfItsSeverityEntityTypeAndPattern() {
    NotifySettings s = NotifySettings.of(config(new JsonArray().add(webhook("ops")),
      new JsonArray().add(new JsonObject().put("receiver", "ops").put("min_severity", "critical")
        .put("entity_type", "supplier").put("entity", "Acme*"))));
    assertThat(s.routesFor(alert(1, Severity.CRITICAL, "firing", "supplier", "Acme Freight"))).hasSize(1);
    assertThat(s.routesFor(alert(2, Severity.WARN, "firing", "supplier", "Acme Freight"))).isEmpty();
    assertThat(s.routesFor(alert(3, Severity.CRITICAL, "firing", "route", "Acme Freight"))).isEmpty();
    assertThat(s.routesFor(alert(4, Severity.CRITICAL, "firing", "supplier", "Big Acme"))).isEmpty();
  }

  @Test
  void aPatternMatchesRegexCharactersLiterally() {
    NotifySettings s = NotifySettings.of(config(new JsonArray().add(webhook("ops")),
      new JsonArray().add(new JsonObject().put("receiver", "ops").put("entity", "A.B*"))));
    assertThat(s.routesFor(alert(1, Severity.WARN, "firing", "supplier", "A.B (north)"))).hasSize(1);
    assertThat(s.routesFor(alert(2, Severity.WARN, "firing", "supplier", "AxB"))).isEmpty();
  }

  @Test
  void resolutionsAreLeftOutWhereARouteSaysSo() {
    NotifySettings s = NotifySettings.of(config(new JsonArray().add(webhook("ops")),
      new JsonArray().add(new JsonObject().put("receiver", "ops").put("send_resolved", false))));
    assertThat(s.routesFor(alert(1, Severity.WARN, "resolved", "supplier", "Acme"))).isEmpty();
    assertThat(s.routesFor(alert(2, Severity.WARN, "firing", "supplier", "Acme"))).hasSize(1);
  }

  @Test
  void theFirstMatchingRouteOfAReceiverWins() {
    NotifySettings s = NotifySettings.of(config(new JsonArray().add(webhook("ops")),
      new JsonArray().add(new JsonObject().put("receiver", "ops").put("min_severity", "critical").put("group_wait", "0s"))
        .add(new JsonObject().put("receiver", "ops").put("group_wait", "2m"))));
    assertThat(s.routesFor(alert(1, Severity.CRITICAL, "firing", "supplier", "Acme"))).extracting(Route::name)
      .containsExactly("route0");
    assertThat(s.routesFor(alert(2, Severity.WARN, "firing", "supplier", "Acme"))).extracting(Route::groupWait)
      .containsExactly(Duration.ofMinutes(2));
  }

  @Test
  void alertsWithTheSameGroupByLabelsShareAGroupKey() {
    NotifySettings s = NotifySettings.of(config(new JsonArray().add(webhook("ops")),
      new JsonArray().add(new JsonObject().put("receiver", "ops").put("group_by", new JsonArray().add("entity_type")))));
    Route r = s.routes().get(0);
    assertThat(r.groupKey(alert(1, Severity.WARN, "firing", "supplier", "A")))
      .isEqualTo(r.groupKey(alert(2, Severity.CRITICAL, "firing", "supplier", "B")))
      .isEqualTo("route0:{entity_type=\"supplier\"}");
    assertThat(r.groupKey(alert(3, Severity.WARN, "firing", "route", "A"))).isNotEqualTo(r.groupKey(alert(1, Severity.WARN,
      "firing", "supplier", "A")));
  }

  @Test
  void withoutGroupByEveryAlertOfARouteIsOneGroup() {
    NotifySettings s = NotifySettings.of(config(new JsonArray().add(webhook("ops")), new JsonArray()));
    Route r = s.routesFor(alert(1, Severity.WARN, "firing", "supplier", "A")).get(0);
    assertThat(r.groupKey(alert(1, Severity.WARN, "firing", "supplier", "A"))).isEqualTo("default:{}");
    assertThat(r.groupKey(alert(2, Severity.CRITICAL, "resolved", "route", "B"))).isEqualTo("default:{}");
  }
}
