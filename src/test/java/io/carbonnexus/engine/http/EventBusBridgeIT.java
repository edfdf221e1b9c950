package io.carbonnexus.engine.http;

import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.Hotspot;
import io.carbonnexus.engine.shared.Severity;
import io.carbonnexus.engine.support.EngineUnderTest;
import io.carbonnexus.engine.support.Http;
import io.carbonnexus.engine.support.TestEngine;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SockJS bridge as a browser sees it, over its raw WebSocket endpoint: the four channels
 * arrive, nothing else can be registered, and nothing a browser sends reaches the bus.
 */
class EventBusBridgeIT {

  @RegisterExtension
  static final EngineUnderTest ENGINE = new EngineUnderTest(TestEngine.onNewDatabase());

  private WebSocket socket;
  private final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();

  @BeforeEach
  void connect() {
    WebSocketClient ws = ENGINE.client().createWebSocketClient();
    socket = ws.connect(ENGINE.port(), "127.0.0.1", "/eventbus/websocket").await();
    // The raw endpoint sends binary frames; each holds one JSON message.
    socket.handler(buffer -> frames.add(new JsonObject(buffer.toString())));
  }

  @AfterEach
  void disconnect() {
    socket.close().await();
  }

  private void send(JsonObject message) {
    socket.writeTextMessage(message.encode()).await();
  }

  private JsonObject next() throws InterruptedException {
    JsonObject frame = frames.poll(5, TimeUnit.SECONDS);
    assertThat(frame).as("a frame from the bridge within 5 s").isNotNull();
    return frame;
  }

  @Test
  void eachChannelReachesTheBrowserWithItsJson() throws Exception {
    for (String channel : Addresses.BROWSER_CHANNELS) {
      send(new JsonObject().put("type", "register").put("address", channel));
    }
    // Registration has no acknowledgement: publish until the first message arrives.
    JsonObject probe = new JsonObject().put("probe", true);
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    JsonObject first = null;
    while (first == null && System.nanoTime() < deadline) {
      ENGINE.vertx().eventBus().publish(Addresses.ALERTS, probe);
      first = frames.poll(100, TimeUnit.MILLISECONDS);
    }
    assertThat(first).isNotNull();
    Thread.sleep(200);
    frames.clear();
    for (String channel : Addresses.BROWSER_CHANNELS) {
      // Alerting and recommendations listen on hotspots too: give them a real (if unknown) hotspot.
      JsonObject body = channel.equals(Addresses.HOTSPOTS)
        ? new Hotspot(999_999, "Nobody", "supplier", 2, 1, 100, Severity.CRITICAL, "open", Instant.now(), Instant.now(),
        null, "updated").toJson()
        : new JsonObject().put("channel", channel).put("id", 7);
      ENGINE.vertx().eventBus().publish(channel, body);
      JsonObject frame = next();
      // The engine's own cycles may publish meanwhile (emissions after an evaluation): skip those.
      while (!body.equals(frame.getJsonObject("body"))) {
        frame = next();
      }
      assertThat(frame.getString("type")).isEqualTo("rec");
      assertThat(frame.getString("address")).isEqualTo(channel);
    }
  }

  @Test
  void aBrowserWithoutWebSocketsGetsTheChannelsOverXhrPolling() throws Exception {
    String session = xhrSessionOnAlerts();
    JsonObject probe = new JsonObject().put("probe", "xhr");
    // The registration has no acknowledgement: publish while polling until the message arrives.
    String received = "";
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!received.contains("xhr") && System.nanoTime() < deadline) {
      ENGINE.vertx().eventBus().publish(Addresses.ALERTS, probe);
      // A bridge client pings, or the bridge closes its session after its ping timeout.
      Http.postOnNewConnection(ENGINE.port(), session + "/xhr_send", new io.vertx.core.json.JsonArray()
        .add(new JsonObject().put("type", "ping").encode()).encode());
      String answer = Http.postOnNewConnection(ENGINE.port(), session + "/xhr", "").body();
      if (answer.startsWith("c[")) {
        // Closed: on a loaded machine more than the 5 s session timeout passed between two polls.
        // A SockJS client opens a new session, as this one does.
        session = xhrSessionOnAlerts();
      } else {
        received += answer;
      }
    }
    assertThat(received).contains("\\\"probe\\\":\\\"xhr\\\"");
  }

  /** A new xhr-polling session (opened, and registered on alerts): its path. */
  private static String xhrSessionOnAlerts() throws Exception {
    String session = "/eventbus/123/" + java.util.UUID.randomUUID().toString().substring(0, 8);
    Http.Response open = Http.postOnNewConnection(ENGINE.port(), session + "/xhr", "");
    assertThat(open.status()).isEqualTo(200);
    assertThat(open.body()).startsWith("o");
    Http.Response send = Http.postOnNewConnection(ENGINE.port(), session + "/xhr_send",
      new io.vertx.core.json.JsonArray().add(new JsonObject().put("type", "register").put("address", Addresses.ALERTS)
        .encode()).encode());
    assertThat(send.status()).as(send.body()).isEqualTo(204);
    return session;
  }

  @Test
  void registeringAnyOtherAddressIsDenied() throws Exception {
    for (String address : List.of(Addresses.PREDICT, Addresses.SUBMIT_EVENTS, Addresses.CONFIG_CHANGED, "hotspots.x",
      "HOTSPOTS", "")) {
      send(new JsonObject().put("type", "register").put("address", address));
      JsonObject frame = next();
      assertThat(frame.getString("type")).as(address).isEqualTo("err");
      assertThat(frame.getString("body")).isIn("access_denied", "rejected");
    }
    // Nothing registered: an internal publish does not reach the browser.
    ENGINE.vertx().eventBus().publish(Addresses.CONFIG_CHANGED + ".test", new JsonObject());
    assertThat(frames.poll(300, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void nothingABrowserSendsOrPublishesReachesTheBus() throws Exception {
    List<Object> received = new CopyOnWriteArrayList<>();
    List<String> targets = List.of(Addresses.HOTSPOTS, Addresses.ALERTS, Addresses.SIMULATE, "test.inbound");
    var consumers = targets.stream()
      .map(a -> ENGINE.vertx().eventBus().consumer(a, m -> received.add(m.body()))).toList();
    for (var c : consumers) {
      c.completion().await();
    }
    for (String address : targets) {
      for (String type : List.of("send", "publish")) {
        send(new JsonObject().put("type", type).put("address", address).put("body", new JsonObject().put("x", 1))
          .put("replyAddress", "r1"));
        JsonObject frame = next();
        assertThat(frame.getString("type")).as(type + " " + address).isEqualTo("err");
        assertThat(frame.getString("body")).isIn("access_denied", "rejected");
      }
    }
    Thread.sleep(300);
    assertThat(received).isEmpty();
    for (var c : consumers) {
      c.unregister().await();
    }
    assertThat(Http.get(ENGINE.port(), "/metrics").body()).contains("nexus_bridge_refused_total");
  }
}
