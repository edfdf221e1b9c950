package io.carbonnexus.engine;

import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.support.TestEngine;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a new user sees: the engine started as {@code scripts/run} starts it — embedded
 * PostgreSQL on an empty data directory, demo data, built-in model and recommender — and a
 * browser on the bridge. Within a minute, whatever the day and hour, a warn or critical hotspot,
 * its alert and its recommendation arrive on their channels, and the emissions channel carries
 * snapshots: every channel has traffic from the start.
 */
class FirstStartIT {

  @Test
  void aHotspotItsAlertAndItsRecommendationReachABrowserWithinAMinuteOfTheFirstStart(@TempDir Path dir) throws Exception {
    TestEngine setup = TestEngine.embedded(dir.resolve("postgres"));
    int port = setup.port();
    Vertx client = Vertx.vertx();
    long t0 = System.nanoTime();
    try (Engine engine = setup.start()) {
      WebSocket socket = connect(client, port);
      List<JsonObject> frames = new CopyOnWriteArrayList<>();
      socket.handler(b -> frames.add(new JsonObject(b.toString())));
      for (String channel : Addresses.BROWSER_CHANNELS) {
        socket.writeTextMessage(new JsonObject().put("type", "register").put("address", channel).encode()).await();
      }
      long deadline = t0 + Duration.ofSeconds(60).toNanos();
      long lastPing = System.nanoTime();
      while (System.nanoTime() < deadline && !(hotspot(frames) && seen(frames, Addresses.ALERTS)
        && seen(frames, Addresses.RECOMMENDATIONS) && seen(frames, Addresses.EMISSIONS))) {
        Thread.sleep(200);
        if (System.nanoTime() - lastPing > 4_000_000_000L) {
          // As the official client does: the bridge closes sockets that stay silent for 10 s.
          socket.writeTextMessage(new JsonObject().put("type", "ping").encode());
          lastPing = System.nanoTime();
        }
      }
      long seconds = (System.nanoTime() - t0) / 1_000_000_000;
      assertThat(hotspot(frames)).as("a warn+ hotspot opened within 60 s of the start").isTrue();
      assertThat(seen(frames, Addresses.ALERTS)).as("its alert").isTrue();
      assertThat(seen(frames, Addresses.RECOMMENDATIONS)).as("its recommendation").isTrue();
      assertThat(seen(frames, Addresses.EMISSIONS)).as("emissions snapshots").isTrue();
      JsonObject alert = frames.stream().filter(f -> Addresses.ALERTS.equals(f.getString("address"))).findFirst()
        .orElseThrow().getJsonObject("body");
      assertThat(alert.getString("level")).isIn("warn", "critical");
      System.out.println("FirstStartIT: hotspot, alert and recommendation on the bridge " + seconds + " s after start");
      socket.close().await();
    } finally {
      client.close().await();
    }
  }

  /** As a browser's client does: a connection refused while the engine writes its history is tried again. */
  private static WebSocket connect(Vertx client, int port) throws InterruptedException {
    RuntimeException last = null;
    for (int attempt = 0; attempt < 10; attempt++) {
      try {
        return client.createWebSocketClient().connect(port, "127.0.0.1", "/eventbus/websocket").await();
      } catch (RuntimeException e) {
        last = e;
        System.out.println("FirstStartIT: bridge connection attempt " + attempt + " failed: " + e);
        Thread.sleep(1_000);
      }
    }
    throw last;
  }

  private static boolean seen(List<JsonObject> frames, String channel) {
    return frames.stream().anyMatch(f -> channel.equals(f.getString("address")));
  }

  private static boolean hotspot(List<JsonObject> frames) {
    return frames.stream().filter(f -> Addresses.HOTSPOTS.equals(f.getString("address")))
      .map(f -> f.getJsonObject("body"))
      .anyMatch(h -> Set.of("opened", "escalated").contains(h.getString("change"))
        && Set.of("warn", "critical").contains(h.getString("severity")));
  }
}
