package io.carbonnexus.engine.http;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.support.EngineUnderTest;
import io.carbonnexus.engine.support.Http;
import io.carbonnexus.engine.support.TestDatabase;
import io.carbonnexus.engine.support.TestEngine;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Malformed and hostile requests against every operation of the contract: wrong types, huge
 * numbers, deep nesting, oversize and broken bodies, injection strings, bad UTF-8 and bad
 * percent-encoding. None may get a 5xx, change a table, or leave the engine unhealthy.
 */
class HostileInputIT {

  private static final String TOKEN = "hostile-test-token";
  private static final String[] TABLES = {"events_normalized", "predictions", "baselines", "hotspots", "alerts",
    "recommendations", "silences", "event_submissions", "recommendation_requests"};

  @RegisterExtension
  static final EngineUnderTest ENGINE = new EngineUnderTest(TestEngine.onNewDatabase()
    .with(ConfigKeys.API_TOKEN, TOKEN)
    .with(ConfigKeys.HTTP_MAX_BODY_KB, 64));

  @BeforeAll
  static void insertOnePredictedEvent() throws Exception {
    TestDatabase.execute(ENGINE.dbUrl(), "insert into events_normalized (occurred_at, supplier, route, vehicle_type, distance_km,"
      + " load_tonnes) values (now() - interval '5 minutes', 'Acme', 'R1', 'hgv', 100, 10)");
    TestDatabase.waitFor("predicted", () -> TestDatabase.queryLong(ENGINE.dbUrl(), "select count(*) from predictions") == 1,
      Duration.ofSeconds(10));
  }

  private static Map<String, Long> counts() {
    Map<String, Long> counts = new TreeMap<>();
    for (String table : TABLES) {
      counts.put(table, TestDatabase.queryLong(ENGINE.dbUrl(), "select count(*) from " + table));
    }
    return counts;
  }

  /** Bodies that break the contract of every operation that takes one. */
  private static List<byte[]> hostileBodies() {
    List<String> texts = new ArrayList<>(List.of("", "null", "true", "0", "-1", "1e999999", "\"text\"", "[]", "{}",
      "[{}]", "{", "}", "[", "{\"a\":", "{\"route\": {\"$gt\": \"\"}}", "{\"load_change\": 1e308}",
      "{\"load_change\": -1e308}", "{\"load_change\": 99999999999999999999999999999}", "{\"vehicle_type\": null}",
      "{\"route\": \"R1'; drop table hotspots; --\", \"load_change\": \"1 or 1=1\"}",
      "{\"entity_type\": \"supplier'--\", \"entity\": \"x\", \"baseline\": \"1\"}",
      "{\"entity_type\": \"supplier\", \"entity\": \"\", \"baseline\": -1}",
      "{\"entity_type\": \"supplier\", \"entity\": \"x\", \"baseline\": 1e400}",
      "{\"entity_type\": \"supplier\", \"entity\": \"x\", \"duration\": \"forever\"}",
      "{\"from\": \"1 or 1=1\", \"to\": 5}", "{\"by\": {\"nested\": [1, 2, 3]}}",
      "[{\"occurred_at\": \"yesterday\", \"supplier\": 1}]",
      "[{\"occurred_at\": \"2026-11-27T00:00:00Z\", \"supplier\": \"A\", \"route\": \"R\", \"vehicle_type\": \"hgv\","
        + " \"distance_km\": -1, \"load_tonnes\": 1}]",
      "{\"__proto__\": {\"admin\": true}}", "{\"a\":1,\"a\":2}", "\u0000", "{\"route\":\"\u0000\",\"load_change\":1}"));
    texts.add("[".repeat(50_000) + "]".repeat(50_000));
    texts.add("{\"a\":".repeat(20_000) + "1" + "}".repeat(20_000));
    texts.add("{\"route\":\"" + "x".repeat(100_000) + "\",\"load_change\":1}");
    texts.add("[" + "1,".repeat(40_000) + "1]");
    List<byte[]> bodies = new ArrayList<>();
    texts.forEach(t -> bodies.add(t.getBytes(StandardCharsets.UTF_8)));
    bodies.add(new byte[] {'{', '"', 'r', 'o', 'u', 't', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
    bodies.add(new byte[] {(byte) 0xFF, (byte) 0xFE, (byte) 0xFD});
    byte[] random = new byte[2048];
    new Random(42).nextBytes(random);
    bodies.add(random);
    return bodies;
  }

  private static final List<String> HOSTILE_VALUES = List.of("", "-1", "0", "1e999", "99999999999999999999", "NaN",
    "%27%3B%20drop%20table%20hotspots%3B--", "%00", "%zz", "%C3%28", "%FF%FE", "x".repeat(3000), "null", "%5B%5D",
    "2026-13-45T99:99:99Z", "critical%00", "open%27%20or%20%271%27%3D%271");

  @Test
  void noHostileRequestGetsA5xxOrChangesData() throws Exception {
    Map<String, Long> before = counts();
    JsonObject paths = Http.get(ENGINE.port(), "/openapi.json").json().getJsonObject("paths");
    int requests = 0;
    List<String> failures = new ArrayList<>();
    for (String path : paths.fieldNames()) {
      for (String method : paths.getJsonObject(path).fieldNames()) {
        String concrete = path.replace("{id}", "1");
        boolean reads = method.equals("get");
        if (!reads && !method.equals("delete")) {
          for (boolean auth : new boolean[] {false, true}) {
            for (byte[] body : hostileBodies()) {
              requests++;
              check(failures, method, concrete, body, auth);
            }
          }
        }
        // Hostile query values: with the token on writes, so that they reach validation.
        for (String value : HOSTILE_VALUES) {
          for (String parameter : List.of("severity", "status", "entity_type", "entity", "since", "limit", "kind",
            "hotspot_id", "source", "supplier")) {
            requests++;
            check(failures, method, concrete + "?" + parameter + "=" + value, reads ? null : new byte[0], !reads);
          }
        }
        requests++;
        check(failures, method, path.replace("{id}", "%27%20or%201%3D1"), null, true);
        requests++;
        check(failures, method, path.replace("{id}", "99999999999999999999999"), null, true);
      }
    }
    assertThat(failures).as("requests answered 5xx or not JSON").isEmpty();
    assertThat(requests).isGreaterThanOrEqualTo(1_000);
    System.out.println("HostileInputIT: " + requests + " hostile requests, 0 answered 5xx");
    assertThat(counts()).as("no table changed").isEqualTo(before);
    assertThat(Http.get(ENGINE.port(), "/health").status()).isEqualTo(200);
    assertThat(TestDatabase.queryLong(ENGINE.dbUrl(), "select count(*) from hotspots")).isZero(); // the table is still there
  }

  /**
   * One request over a plain socket, bytes exactly as given (an HTTP client library would refuse
   * to send a malformed URI), answered with Connection: close.
   */
  private static void check(List<String> failures, String method, String pathAndQuery, byte[] body, boolean auth)
    throws Exception {
    String response;
    try (Socket socket = new Socket("127.0.0.1", ENGINE.port())) {
      socket.setSoTimeout(30_000);
      StringBuilder head = new StringBuilder(method.toUpperCase()).append(' ').append(pathAndQuery)
        .append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
      if (auth) {
        head.append("Authorization: Bearer ").append(TOKEN).append("\r\n");
      }
      if (body != null) {
        head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
      }
      OutputStream out = socket.getOutputStream();
      out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        out.write(body);
      }
      out.flush();
      response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      // The server may close early on an oversize body after answering 413; a reset is not a 5xx.
      return;
    }
    int status = response.startsWith("HTTP/1.1 ") ? Integer.parseInt(response.substring(9, 12)) : -1;
    String answer = response.contains("\r\n\r\n") ? response.substring(response.indexOf("\r\n\r\n") + 4) : "";
    String what = method.toUpperCase() + " " + abbreviate(pathAndQuery) + " body " + (body == null ? "none"
      : abbreviate(new String(body, StandardCharsets.UTF_8))) + " -> " + status + " " + abbreviate(answer);
    if (status < 100 || status >= 500) {
      failures.add(what);
    } else if (status >= 400 && !answer.contains("{\"error\"")) {
      failures.add("not a JSON error: " + what);
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "...(" + s.length() + ")" : s;
  }
}
