package io.carbonnexus.engine.http;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.support.LogCapture;
import io.carbonnexus.engine.support.EngineUnderTest;
import io.carbonnexus.engine.support.Http;
import io.carbonnexus.engine.support.TestDatabase;
import io.carbonnexus.engine.support.TestEngine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** POST /events as a producer that cannot write the table sees it. */
class EventsApiIT {

  private static final String TOKEN = "s3cret-token";

  @RegisterExtension
  static final EngineUnderTest ENGINE = new EngineUnderTest(TestEngine.onNewDatabase()
    .with(ConfigKeys.API_TOKEN, TOKEN)
    .with(ConfigKeys.HTTP_MAX_BODY_KB, 64)
    // Not the default 24 h: the expiry tests then show that the setting is what counts.
    .with(ConfigKeys.HTTP_IDEMPOTENCY_KEY_TTL, "2h"));

  @BeforeEach
  void clean() {
    TestDatabase.execute(ENGINE.dbUrl(), "truncate events_normalized, event_submissions, predictions, prediction_errors");
  }

  private static JsonObject event(String supplier, String type, double km) {
    return new JsonObject().put("occurred_at", "2026-11-27T08:30:00+01:00").put("supplier", supplier)
      .put("route", "R12").put("vehicle_type", type).put("distance_km", km).put("load_tonnes", 10)
      .put("payload_capacity_tonnes", 20).put("shipment_id", "SHP-" + supplier);
  }

  private static Http.Response post(String body, String... headers) {
    String[] all = new String[headers.length + 2];
    all[0] = "Authorization";
    all[1] = "Bearer " + TOKEN;
    System.arraycopy(headers, 0, all, 2, headers.length);
    return Http.post(ENGINE.port(), "/events", body, all);
  }

  private static long rows() {
    return TestDatabase.queryLong(ENGINE.dbUrl(), "select count(*) from events_normalized");
  }

  @Test
  void aValidBatchIsInsertedWholeAndThenPredicted() throws Exception {
    Http.Response r = post(new JsonArray().add(event("A", "hgv", 100)).add(event("B", "ev", 50)).encode());
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().getInteger("inserted")).isEqualTo(2);
    assertThat(r.json().getJsonArray("ids")).hasSize(2);
    assertThat(TestDatabase.queryLong(ENGINE.dbUrl(), "select count(*) from events_normalized where shipment_id = 'SHP-A'"
      + " and occurred_at = '2026-11-27T07:30:00Z' and payload_capacity_tonnes = 20")).isEqualTo(1);
    TestDatabase.waitFor("predicted", () -> TestDatabase.queryLong(ENGINE.dbUrl(), "select count(*) from predictions") == 2,
      Duration.ofSeconds(5));
  }

  @Test
  void withoutTheTokenNothingIsWritten() {
    Http.Response r = Http.post(ENGINE.port(), "/events", new JsonArray().add(event("A", "hgv", 100)).encode());
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.json().getString("error")).contains("Authorization: Bearer");
    assertThat(Http.post(ENGINE.port(), "/events", "[]", "Authorization", "Bearer wrong").status()).isEqualTo(401);
    assertThat(rows()).isZero();
  }

  @Test
  void malformedBodiesGet400WithWhatIsWrong() {
    Http.Response notJson = post("[{\"supplier\": ");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.json().getString("error")).isEqualTo("the request body is not valid JSON");

    Http.Response object = post(event("A", "hgv", 100).encode());
    assertThat(object.status()).isEqualTo(400);
    assertThat(object.json().getString("error")).contains("JSON array");

    JsonObject negative = event("A", "hgv", -5);
    JsonObject extra = event("B", "hgv", 10).put("colour", "red");
    JsonObject missing = event("C", "hgv", 10);
    missing.remove("route");
    Http.Response schema = post(new JsonArray().add(negative).add(extra).add(missing).encode());
    assertThat(schema.status()).isEqualTo(400);
    assertThat(schema.json().getString("error")).isEqualTo("the events do not match the event schema");
    String details = schema.json().getJsonArray("details").encode();
    assertThat(details).contains("/0/distance_km").contains("/1").contains("route");
    assertThat(rows()).isZero();

    Http.Response nul = post(new JsonArray().add(event("A", "hgv", 1).put("origin", "Dover\u0000")).encode());
    assertThat(nul.status()).isEqualTo(400);
    assertThat(nul.json().getJsonArray("details").encode()).contains("/0/origin");
    assertThat(rows()).isZero();
  }

  @Test
  void oneUnpredictableEventRejectsTheWholeBatch() {
    Http.Response r = post(new JsonArray().add(event("A", "hgv", 100)).add(event("B", "zeppelin", 100)).encode());
    assertThat(r.status()).isEqualTo(400);
    JsonObject detail = r.json().getJsonArray("details").getJsonObject(0);
    assertThat(detail.getInteger("index")).isEqualTo(1);
    assertThat(detail.getString("reason")).isEqualTo("unknown vehicle type 'zeppelin'");
    assertThat(r.json().getString("error")).contains("nothing was inserted");
    assertThat(rows()).isZero();
  }

  @Test
  void aRetryWithTheSameIdempotencyKeyInsertsNothingMore() {
    String body = new JsonArray().add(event("A", "van", 10)).encode();
    Http.Response first = post(body, "Idempotency-Key", "batch-42");
    Http.Response retry = post(body, "Idempotency-Key", "batch-42");
    assertThat(first.status()).isEqualTo(201);
    assertThat(retry.status()).isEqualTo(200);
    assertThat(retry.json().getBoolean("replayed")).isTrue();
    assertThat(retry.json().getJsonArray("ids")).isEqualTo(first.json().getJsonArray("ids"));
    assertThat(rows()).isEqualTo(1);
  }

  @Test
  void theSameKeyWithADifferentBodyIs422AndInsertsNothing() {
    Http.Response first = post(new JsonArray().add(event("A", "van", 10)).encode(), "Idempotency-Key", "batch-43");
    Http.Response other = post(new JsonArray().add(event("B", "van", 99)).encode(), "Idempotency-Key", "batch-43");
    assertThat(first.status()).isEqualTo(201);
    assertThat(other.status()).isEqualTo(422);
    assertThat(other.json().getString("error")).contains("Idempotency-Key 'batch-43'")
      .contains("was used with a different request body");
    assertThat(other.json().getJsonObject("details").getString("idempotency_key")).isEqualTo("batch-43");
    assertThat(rows()).isEqualTo(1);
    assertThat(TestDatabase.queryLong(ENGINE.dbUrl(), "select count(*) from events_normalized where supplier = 'B'")).isZero();
  }

  @Test
  void theSameEventsWrittenWithOtherSpacingKeyOrderAndNumberFormIsAReplay() {
    String compact = "[{\"occurred_at\":\"2026-11-27T08:30:00+01:00\",\"supplier\":\"A\",\"route\":\"R1\","
      + "\"vehicle_type\":\"van\",\"distance_km\":10,\"load_tonnes\":2,\"origin\":null}]";
    String reordered = "[ {\n  \"load_tonnes\": 2.0, \"route\": \"R1\", \"supplier\": \"\\u0041\",\n"
      + "  \"distance_km\": 1e1, \"vehicle_type\": \"van\", \"occurred_at\": \"2026-11-27T08:30:00+01:00\" } ]";
    Http.Response first = post(compact, "Idempotency-Key", "batch-44");
    Http.Response retry = post(reordered, "Idempotency-Key", "batch-44");
    assertThat(first.status()).isEqualTo(201);
    assertThat(retry.status()).isEqualTo(200);
    assertThat(retry.json().getJsonArray("ids")).isEqualTo(first.json().getJsonArray("ids"));
    assertThat(rows()).isEqualTo(1);
  }

  @Test
  void anExpiredKeyIsTreatedAsNewAndItsRowReplaced() {
    Http.Response first = post(new JsonArray().add(event("A", "van", 10)).encode(), "Idempotency-Key", "batch-45");
    TestDatabase.execute(ENGINE.dbUrl(), "update event_submissions set created_at = now() - interval '119 minutes'");
    Http.Response stillRemembered = post(new JsonArray().add(event("B", "van", 20)).encode(), "Idempotency-Key", "batch-45");
    TestDatabase.execute(ENGINE.dbUrl(), "update event_submissions set created_at = now() - interval '121 minutes'");
    Http.Response again = post(new JsonArray().add(event("B", "van", 20)).encode(), "Idempotency-Key", "batch-45");
    assertThat(first.status()).isEqualTo(201);
    assertThat(stillRemembered.status()).isEqualTo(422);
    assertThat(again.status()).isEqualTo(201);
    assertThat(again.json().getBoolean("replayed")).isFalse();
    assertThat(rows()).isEqualTo(2);
    long newId = again.json().getJsonArray("ids").getLong(0);
    assertThat(TestDatabase.queryLong(ENGINE.dbUrl(), "select count(*) from event_submissions where idempotency_key = 'batch-45'"
      + " and event_ids = array[" + newId + "]::bigint[] and created_at > now() - interval '1 minute'")).isEqualTo(1);
  }

  @Test
  void concurrentRequestsWithTheSameNewKeyInsertTheEventsOnce() throws Exception {
    String body = new JsonArray().add(event("A", "van", 10)).add(event("B", "hgv", 30)).encode();
    List<Http.Response> answers = concurrently(8, () -> post(body, "Idempotency-Key", "batch-46"));
    assertThat(answers).extracting(Http.Response::status).containsOnly(200, 201).containsOnlyOnce(201);
    assertThat(answers).extracting(r -> r.json().getJsonArray("ids")).containsOnly(answers.get(0).json().getJsonArray("ids"));
    assertThat(rows()).isEqualTo(2);
  }

  @Test
  void concurrentRequestsWithTheSameExpiredKeyReplaceItOnce() throws Exception {
    post(new JsonArray().add(event("A", "van", 10)).encode(), "Idempotency-Key", "batch-47");
    TestDatabase.execute(ENGINE.dbUrl(), "update event_submissions set created_at = now() - interval '121 minutes'");
    String body = new JsonArray().add(event("B", "van", 20)).encode();
    List<Http.Response> answers = concurrently(8, () -> post(body, "Idempotency-Key", "batch-47"));
    assertThat(answers).extracting(Http.Response::status).containsOnly(200, 201).containsOnlyOnce(201);
    assertThat(answers).extracting(r -> r.json().getJsonArray("ids")).containsOnly(answers.get(0).json().getJsonArray("ids"));
    assertThat(rows()).isEqualTo(2);
    assertThat(TestDatabase.queryLong(ENGINE.dbUrl(), "select count(*) from events_normalized where supplier = 'B'")).isEqualTo(1);
  }

  @Test
  void aKeyStoredBeforeFingerprintsReplaysByTheKeyAlone() {
    TestDatabase.execute(ENGINE.dbUrl(), "insert into event_submissions (idempotency_key, event_ids) values ('legacy-1', array[7, 8])");
    Http.Response r = post(new JsonArray().add(event("A", "van", 10)).encode(), "Idempotency-Key", "legacy-1");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getJsonArray("ids").encode()).isEqualTo("[7,8]");
    assertThat(rows()).isZero();
  }

  @Test
  void anImplausibleEventTimeIs400NamingTheEventTheFieldAndTheRange() {
    String[] implausible = {"0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
      rfc3339(OffsetDateTime.now(ZoneOffset.ofHours(5)).plusDays(2)),
      rfc3339(OffsetDateTime.now(ZoneOffset.ofHours(-3)).minusDays(3651))};
    for (String at : implausible) {
      JsonArray batch = new JsonArray().add(event("A", "van", 10)).add(event("B", "van", 10).put("occurred_at", at));
      Http.Response r = post(batch.encode());
      assertThat(r.status()).as(at).isEqualTo(400);
      JsonObject detail = r.json().getJsonArray("details").getJsonObject(0);
      assertThat(detail.getInteger("index")).as(at).isEqualTo(1);
      assertThat(detail.getString("field")).as(at).isEqualTo("occurred_at");
      assertThat(detail.getString("reason")).as(at).startsWith("occurred_at ").contains("is out of range");
      assertThat(Instant.parse(detail.getString("earliest"))).as(at).isBefore(Instant.now().minus(Duration.ofDays(3649)));
      assertThat(Instant.parse(detail.getString("latest"))).as(at).isAfter(Instant.now())
        .isBefore(Instant.now().plus(Duration.ofDays(2)));
      assertThat(rows()).as(at).isZero();
    }
    // A five-digit year is not RFC 3339 at all: the contract's date-time format refuses it first.
    JsonArray batch = new JsonArray().add(event("A", "van", 10))
      .add(event("B", "van", 10).put("occurred_at", "+10000-01-01T00:00:00Z"));
    Http.Response r = post(batch.encode());
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getJsonArray("details").encode()).contains("#/1/occurred_at").contains("date-time");
    assertThat(rows()).isZero();
  }

  @Test
  void eventTimesFromFourWeeksAgoToAFewHoursAheadInAnyOffsetAreAccepted() {
    JsonArray batch = new JsonArray()
      .add(event("A", "van", 10).put("occurred_at", rfc3339(OffsetDateTime.now(ZoneOffset.UTC).minusDays(28))))
      .add(event("B", "van", 10).put("occurred_at", rfc3339(OffsetDateTime.now(ZoneOffset.ofHoursMinutes(-9, -30)).plusHours(3))));
    Http.Response r = post(batch.encode());
    assertThat(r.status()).isEqualTo(201);
    assertThat(rows()).isEqualTo(2);
  }

  /** Always with seconds (OffsetDateTime.toString leaves out zero seconds, which RFC 3339 does not allow). */
  private static String rfc3339(OffsetDateTime time) {
    return time.truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
  }

  private static List<Http.Response> concurrently(int n, java.util.function.Supplier<Http.Response> request)
    throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Http.Response>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        futures.add(pool.submit(() -> {
          go.await();
          return request.get();
        }));
      }
      go.countDown();
      List<Http.Response> answers = new ArrayList<>();
      for (Future<Http.Response> f : futures) {
        answers.add(f.get(60, TimeUnit.SECONDS));
      }
      return answers;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void anOversizeBodyGets413AsJson() {
    String big = "[" + "{\"supplier\":\"x\"},".repeat(5_000) + "{}]";
    Http.Response r = post(big);
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.json().getString("error")).contains("64 KiB");
    assertThat(rows()).isZero();
  }

  @Test
  void batchDetectionReplaysAPastRangeWithoutTouchingLiveHotspots() {
    TestDatabase.execute(ENGINE.dbUrl(), "truncate hotspot_changes, hotspots cascade");
    target("Replay Freight", 100);
    // 150 kg on 2026-11-10 at 06:00 UTC: the window before a moment, [t - 24 h, t), holds it until the
    // 06:00 step of the next day; at 07:00 it has left. It opens at 06:05, not at the 07:00 step: the
    // live fast path judges an entity as its events arrive, and the replay judges it at the end of
    // each 5-minute bucket in which it shipped.
    predicted(900001, "2026-11-10T06:00:00Z", "Replay Freight", "R7", 150);
    JsonObject request = new JsonObject().put("from", "2026-11-10T00:00:00Z").put("to", "2026-11-12T00:00:00Z")
      .put("step", "1h");
    Http.Response r;
    try (LogCapture log = new LogCapture("io.carbonnexus.engine.hotspot.ReplayRequest", ch.qos.logback.classic.Level.INFO)) {
      r = Http.post(ENGINE.port(), "/detection/batch", request.encode(), "Authorization", "Bearer " + TOKEN);
      assertThat(log.messages()).anySatisfy(m -> assertThat(m)
        .startsWith("INFO Replayed 2026-11-10T00:00:00Z .. 2026-11-12T00:00:00Z every 1h (buckets of 5m): ")
        .contains(" changes; read in ").contains(" ms, judged in "));
    }
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getLong("evaluations")).isEqualTo(49);
    assertThat(r.json().getString("buckets")).isEqualTo("5m");
    JsonArray changes = r.json().getJsonArray("changes");
    assertThat(changes.stream().map(o -> ((JsonObject) o).getString("at") + " " + ((JsonObject) o).getString("change")
      + "/" + ((JsonObject) o).getString("severity")).filter(x -> true).toList())
      .containsSubsequence("2026-11-10T06:05:00Z opened/critical", "2026-11-11T07:00:00Z resolved/critical");
    assertThat(TestDatabase.queryLong(ENGINE.dbUrl(), "select count(*) from hotspots")).isZero();
  }

  @Test
  void theReplayIsHonestEventsAfterAStepNeverChangeWhatItSaysAtThatStep() {
    TestDatabase.execute(ENGINE.dbUrl(), "truncate hotspot_changes, hotspots cascade");
    target("Honest Freight", 100);
    // 120 kg on the 10th at 03:00: over the target from 03:05 (the fast path's bucket after it) for a day.
    predicted(910001, "2026-11-10T03:00:00Z", "Honest Freight", "R8", 120);
    JsonObject request = new JsonObject().put("from", "2026-11-10T00:00:00Z").put("to", "2026-11-12T00:00:00Z")
      .put("step", "15m");
    List<String> before = replayed(request, "Honest Freight");
    // Later events: at 12:00 on the 10th, 300 kg more.
    predicted(910002, "2026-11-10T12:00:00Z", "Honest Freight", "R8", 300);
    List<String> after = replayed(request, "Honest Freight");
    java.util.function.Predicate<String> upToNoon = c -> c.compareTo("2026-11-10T12:00:00Z") <= 0;
    assertThat(after.stream().filter(upToNoon).toList()).isEqualTo(before.stream().filter(upToNoon).toList())
      .contains("2026-11-10T03:05:00Z opened/warn");
    assertThat(after).as("the later events are seen after noon").contains("2026-11-10T12:05:00Z escalated/critical");
    assertThat(before).doesNotContain("2026-11-10T12:05:00Z escalated/critical");
  }

  @Test
  void anEntityHotSinceBeforeTheRangeIsNotOpenedAtItsStartButResolvesInIt() {
    target("Warm Freight", 100);
    // 150 kg at 22:00 the evening before the range: critical from 22:05 (in the warm-up) until the
    // day window lets it go, at the 23:00 step of the range's first day.
    predicted(920001, "2026-11-09T22:00:00Z", "Warm Freight", "R9", 150);
    JsonObject request = new JsonObject().put("from", "2026-11-10T00:00:00Z").put("to", "2026-11-12T00:00:00Z")
      .put("step", "1h");
    assertThat(replayed(request, "Warm Freight")).containsExactly("2026-11-10T23:00:00Z resolved/critical");
  }

  /** An operator's target for a supplier's day window. */
  private static void target(String supplier, double kg) {
    TestDatabase.execute(ENGINE.dbUrl(), "insert into baselines (entity_type, entity, baseline, source) values"
      + " ('supplier', '" + supplier + "', " + kg + ", 'target') on conflict do nothing");
  }

  /** A van shipment's prediction, straight into the table the replay reads. */
  private static void predicted(long eventId, String at, String supplier, String route, double kg) {
    TestDatabase.execute(ENGINE.dbUrl(), "insert into predictions (event_id, occurred_at, supplier, route, vehicle_type, co2_kg,"
      + " model, model_version) values (" + eventId + ", '" + at + "', '" + supplier + "', '" + route + "', 'van', " + kg
      + ", 'builtin', 't')");
  }

  private List<String> replayed(JsonObject request, String entity) {
    Http.Response r = Http.post(ENGINE.port(), "/detection/batch", request.encode(), "Authorization", "Bearer " + TOKEN);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().getJsonArray("changes").stream().map(o -> (JsonObject) o)
      .filter(c -> c.getString("entity").equals(entity))
      .map(c -> c.getString("at") + " " + c.getString("change") + "/" + c.getString("severity")).toList();
  }

  @Test
  void batchDetectionRefusesImpossibleRangesAndNeedsTheToken() {
    String reversed = new JsonObject().put("from", "2026-11-12T00:00:00Z").put("to", "2026-11-10T00:00:00Z").encode();
    Http.Response r = Http.post(ENGINE.port(), "/detection/batch", reversed, "Authorization", "Bearer " + TOKEN);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getString("error")).isEqualTo("from must be before to");
    String oddStep = new JsonObject().put("from", "2026-11-10T00:00:00Z").put("to", "2026-11-11T00:00:00Z")
      .put("step", "7m").encode();
    assertThat(Http.post(ENGINE.port(), "/detection/batch", oddStep, "Authorization", "Bearer " + TOKEN).json().getString("error"))
      .contains("whole minutes dividing a day");
    String subSecond = new JsonObject().put("from", "2026-11-10T00:00:00Z").put("to", "2026-11-10T00:01:00Z")
      .put("step", "500ms").encode();
    assertThat(Http.post(ENGINE.port(), "/detection/batch", subSecond, "Authorization", "Bearer " + TOKEN).json().getString("error"))
      .contains("whole minutes");
    String badDate = new JsonObject().put("from", "yesterday").put("to", "2026-11-11T00:00:00Z").encode();
    assertThat(Http.post(ENGINE.port(), "/detection/batch", badDate, "Authorization", "Bearer " + TOKEN).status()).isEqualTo(400);
    assertThat(Http.post(ENGINE.port(), "/detection/batch", reversed).status()).isEqualTo(401);
  }

  @Test
  void anOperatorAcknowledgesAnAlertAndSilencesAnEntity() {
    TestDatabase.execute(ENGINE.dbUrl(), "truncate hotspot_changes, hotspots, alerts, silences cascade");
    TestDatabase.execute(ENGINE.dbUrl(), "insert into hotspots (entity_type, entity, predicted, baseline, percent_above, severity,"
      + " opened_at, updated_at) values ('supplier', 'Ack Freight', 200, 100, 100, 'critical', now(), now())");
    TestDatabase.execute(ENGINE.dbUrl(), "insert into alerts (level, message, hotspot_id, kind, dedup_key) select 'critical',"
      + " 'Ack Freight exceeded emissions by 100%', id, 'firing', 'k1' from hotspots");
    long alertId = TestDatabase.queryLong(ENGINE.dbUrl(), "select id from alerts");

    Http.Response ack = Http.post(ENGINE.port(), "/alerts/" + alertId + "/acknowledge", "{\"by\": \"ops@example\"}",
      "Authorization", "Bearer " + TOKEN);
    assertThat(ack.status()).isEqualTo(200);
    assertThat(ack.json().getString("acknowledged_at")).isNotNull();
    assertThat(TestDatabase.queryLong(ENGINE.dbUrl(), "select count(*) from alerts where acknowledged_by = 'ops@example'")).isEqualTo(1);
    assertThat(Http.post(ENGINE.port(), "/alerts/999999/acknowledge", "", "Authorization", "Bearer " + TOKEN).status()).isEqualTo(404);
    assertThat(Http.post(ENGINE.port(), "/alerts/abc/acknowledge", "", "Authorization", "Bearer " + TOKEN).status()).isEqualTo(400);
    assertThat(Http.post(ENGINE.port(), "/alerts/" + alertId + "/acknowledge", "").status()).isEqualTo(401);

    Http.Response silence = Http.post(ENGINE.port(), "/silences", new JsonObject().put("entity_type", "supplier")
      .put("entity", "Ack Freight").put("duration", "2h").put("reason", "planned peak").encode(),
      "Authorization", "Bearer " + TOKEN);
    assertThat(silence.status()).isEqualTo(201);
    assertThat(TestDatabase.queryLong(ENGINE.dbUrl(), "select count(*) from silences where entity = 'Ack Freight'"
      + " and until > now() + interval '119 minutes' and until < now() + interval '121 minutes'")).isEqualTo(1);
    Http.Response badType = Http.post(ENGINE.port(), "/silences", new JsonObject().put("entity_type", "planet")
      .put("entity", "Mars").put("duration", "2h").encode(), "Authorization", "Bearer " + TOKEN);
    assertThat(badType.status()).isEqualTo(400);
    assertThat(badType.json().getString("error")).contains("entity_type");
    Http.Response badDuration = Http.post(ENGINE.port(), "/silences", new JsonObject().put("entity_type", "route")
      .put("entity", "R1").put("duration", "forever").encode(), "Authorization", "Bearer " + TOKEN);
    assertThat(badDuration.status()).isEqualTo(400);
  }

  @Test
  void anUnknownEndpointGets404AsJson() {
    Http.Response r = Http.get(ENGINE.port(), "/nope");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().getString("error")).isEqualTo("no such endpoint: GET /nope");
  }
}
