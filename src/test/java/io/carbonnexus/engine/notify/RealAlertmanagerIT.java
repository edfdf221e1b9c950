package io.carbonnexus.engine.notify;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.support.FakeReceiver;
import io.carbonnexus.engine.support.FreshDatabase;
import io.carbonnexus.engine.support.Http;
import io.carbonnexus.engine.support.TempDirs;
import io.carbonnexus.engine.support.TestDatabase;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real Prometheus Alertmanager (Debian's {@code prometheus-alertmanager}, which {@code .ci/run}
 * installs when it runs as root) receives the pushed alert and routes it to its own webhook
 * receiver. Skipped, saying so, when the binary is not there ({@code ALERTMANAGER} names another).
 */
@ExtendWith(VertxExtension.class)
class RealAlertmanagerIT {

  private static final Logger LOG = LoggerFactory.getLogger(RealAlertmanagerIT.class);

  private Process alertmanager;
  private FakeReceiver hook;

  private static Path binary() {
    String named = System.getenv("ALERTMANAGER");
    return Path.of(named != null && !named.isBlank() ? named : "/usr/bin/prometheus-alertmanager");
  }

  @BeforeEach
  void startAlertmanager(Vertx vertx, @TempDir Path dir) throws Exception {
    Path binary = binary();
    if (!Files.isExecutable(binary)) {
      LOG.warn("RealAlertmanagerIT SKIPPED: no Alertmanager at {} (install Debian's prometheus-alertmanager"
        + " or set ALERTMANAGER)", binary);
    }
    assumeTrue(Files.isExecutable(binary), "SKIPPED: no Alertmanager at " + binary
      + " (install Debian's prometheus-alertmanager or set ALERTMANAGER)");
    hook = FakeReceiver.start(vertx);
    Path config = dir.resolve("alertmanager.yml");
    Files.writeString(config, """
      route:
        receiver: hook
        group_by: [alertname]
        group_wait: 1s
        group_interval: 1s
        repeat_interval: 1h
      receivers:
        - name: hook
          webhook_configs:
            - url: %s/from-alertmanager
              send_resolved: true
      """.formatted(hook.url()));
    int port = TempDirs.freePort();
    alertmanager = new ProcessBuilder(binary.toString(), "--config.file=" + config,
      "--storage.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address=")
      .redirectErrorStream(true).redirectOutput(dir.resolve("alertmanager.log").toFile()).start();
    TestDatabase.waitFor("Alertmanager ready", () -> {
      try {
        return Http.get(port, "/-/ready").status() == 200;
      } catch (RuntimeException e) {
        return false;
      }
    }, Duration.ofSeconds(20));

    // Made here rather than injected: a skipped test makes no database.
    FreshDatabase db = FreshDatabase.create();
    String url = db.url();
    TestDatabase.execute(url, "insert into hotspots (entity_type, entity, predicted, baseline, percent_above, severity,"
      + " opened_at, updated_at) values ('supplier', 'Supplier AM', 132, 60, 120, 'critical', now(), now())");
    TestDatabase.execute(url, "with a as (insert into alerts (level, message, hotspot_id, kind, dedup_key, created_at,"
      + " entity_type, entity, percent_above) select 'critical', 'Supplier AM exceeded emissions by 120%', id, 'firing',"
      + " 'k1', now(), 'supplier', 'Supplier AM', 120 from hotspots returning id)"
      + " insert into notification_outbox (alert_id) select id from a");
    JsonObject conf = db.config();
    ConfigKeys.NOTIFY_ALERTMANAGER_URL.put(conf, "http://127.0.0.1:" + port);
    ConfigKeys.NOTIFY_GROUP_WAIT.put(conf, "0s");
    ConfigKeys.NOTIFY_POLL_INTERVAL.put(conf, "100ms");
    vertx.deployVerticle(() -> new NotificationVerticle(), new DeploymentOptions().setConfig(conf)).await();
  }

  @AfterEach
  void stop() throws Exception {
    if (alertmanager != null) {
      alertmanager.destroy();
      if (!alertmanager.waitFor(10, TimeUnit.SECONDS)) {
        alertmanager.destroyForcibly();
      }
    }
    if (hook != null) {
      hook.close();
    }
  }

  @Test
  void aPushedAlertIsRoutedByAlertmanagerToItsWebhook() throws Exception {
    TestDatabase.waitFor("Alertmanager's webhook", () -> !hook.requests().isEmpty(), Duration.ofSeconds(30));
    JsonObject body = hook.requests().get(0).body().toJsonObject();
    assertThat(hook.requests().get(0).path()).isEqualTo("/from-alertmanager");
    assertThat(body.getString("version")).isEqualTo("4");
    assertThat(body.getString("status")).isEqualTo("firing");
    JsonObject alert = body.getJsonArray("alerts").getJsonObject(0);
    assertThat(alert.getJsonObject("labels")).isEqualTo(new JsonObject().put("alertname", "CarbonEmissionsHotspot")
      .put("severity", "critical").put("entity_type", "supplier").put("entity", "Supplier AM"));
    assertThat(alert.getJsonObject("annotations").getString("summary")).isEqualTo("Supplier AM exceeded emissions by 120%");
  }
}
