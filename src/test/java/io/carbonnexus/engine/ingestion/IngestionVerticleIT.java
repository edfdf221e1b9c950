package io.carbonnexus.engine.ingestion;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.prediction.PredictionVerticle;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.EventsIngested;
import io.carbonnexus.engine.support.TestDatabase;
import io.carbonnexus.engine.support.VerticleTestBed;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Rows inserted by any producer, straight into the table, become stored predictions. */
class IngestionVerticleIT extends VerticleTestBed {

  private List<EventsIngested> published;

  @BeforeEach
  void setUp() {
    // Polling only once a minute: anything faster than that came through LISTEN/NOTIFY.
    ConfigKeys.INGESTION_POLL_INTERVAL.put(config, "60s");
    ConfigKeys.INGESTION_BATCH_SIZE.put(config, 1000);
    published = collect(Addresses.EVENTS_INGESTED, EventsIngested::fromJson);
    deploy(new PredictionVerticle());
  }

  private String deployIngestion() {
    return deploy(new IngestionVerticle());
  }

  private void insertEvents(int n, String supplier) {
    TestDatabase.execute(url, "insert into events_normalized (occurred_at, supplier, route, vehicle_type, distance_km,"
      + " load_tonnes, shipment_id) select now() - (g || ' seconds')::interval, '" + supplier + "', 'R' || (g % 5),"
      + " case when g % 2 = 0 then 'hgv_diesel' else 'van' end, 100 + g % 50, 1 + g % 10, 'S-' || g"
      + " from generate_series(1, " + n + ") g");
  }

  private long count(String sql) {
    return TestDatabase.queryLong(url, sql);
  }

  @Test
  void rowsInsertedByAnyProducerAreIngestedWithinASecondThroughNotify() throws Exception {
    deployIngestion();
    Thread.sleep(300); // the first (empty) poll is over: what follows comes through NOTIFY
    long t0 = System.nanoTime();
    insertEvents(50, "Acme Freight");
    TestDatabase.waitFor("50 predictions", () -> count("select count(*) from predictions") == 50, Duration.ofSeconds(5));
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1_000);
    assertThat(count("select last_event_id from ingestion_state")).isEqualTo(count("select max(id) from events_normalized"));
    TestDatabase.waitFor("published", () -> !published.isEmpty(), Duration.ofSeconds(2));
    EventsIngested event = published.get(0);
    assertThat(event.suppliers()).containsExactly("Acme Freight");
    assertThat(event.routes()).containsExactlyInAnyOrder("R0", "R1", "R2", "R3", "R4");
    assertThat(event.vehicleTypes()).containsExactlyInAnyOrder("hgv_diesel", "van");
  }

  @Test
  void withoutNotificationsPollingStillFindsEveryEvent() throws Exception {
    TestDatabase.execute(url, "drop trigger nexus_events_inserted on events_normalized");
    ConfigKeys.INGESTION_POLL_INTERVAL.put(config, "200ms");
    deployIngestion();
    insertEvents(30, "Poll Logistics");
    TestDatabase.waitFor("30 predictions", () -> count("select count(*) from predictions") == 30, Duration.ofSeconds(10));
  }

  @Test
  void badRowsAreSkippedCountedAndTheRestIsIngested() throws Exception {
    deployIngestion();
    TestDatabase.execute(url, """
      insert into events_normalized (occurred_at, supplier, route, vehicle_type, distance_km, load_tonnes) values
        (now(), 'A', 'R1', 'hgv_diesel', 100, 5),
        (now(), 'A', 'R1', 'zeppelin', 100, 5),
        (now(), 'A', 'R1', 'van', -40, 1),
        (now(), 'A', 'R1', 'rail', 300, 20)""");
    TestDatabase.waitFor("2 predictions and 2 errors", () -> count("select count(*) from predictions") == 2
      && count("select count(*) from prediction_errors") == 2, Duration.ofSeconds(5));
    assertThat(count("select count(*) from prediction_errors where reason like 'unknown vehicle type%'")).isEqualTo(1);
    TestDatabase.waitFor("published", () -> !published.isEmpty(), Duration.ofSeconds(2));
    assertThat(published.get(0).skipped()).isEqualTo(2);
  }

  @Test
  void rowsWithImplausibleTimesAreSkippedRecordedAndCountedWithoutStoppingTheBatch() throws Exception {
    deployIngestion();
    TestDatabase.execute(url, """
      insert into events_normalized (occurred_at, supplier, route, vehicle_type, distance_km, load_tonnes) values
        (now(), 'A', 'R1', 'van', 100, 5),
        (now() - interval '28 days', 'A', 'R1', 'van', 100, 5),
        ('0001-01-01 00:00:00+00 BC', 'A', 'R1', 'van', 100, 5),
        ('9999-12-31 23:59:59+00', 'A', 'R1', 'van', 100, 5),
        ('infinity', 'A', 'R1', 'van', 100, 5),
        ('-infinity', 'A', 'R1', 'van', 100, 5),
        (now() - interval '3651 days', 'A', 'R1', 'van', 100, 5),
        (now() + interval '2 days', 'A', 'R1', 'van', 100, 5)""");
    TestDatabase.waitFor("2 predictions and 6 errors", () -> count("select count(*) from predictions") == 2
      && count("select count(*) from prediction_errors") == 6, Duration.ofSeconds(5));
    assertThat(count("select count(*) from prediction_errors where reason like 'occurred_at % is out of range%'"))
      .isEqualTo(6);
    assertThat(count("select count(*) from prediction_errors where reason = 'occurred_at infinity is out of range:"
      + " more than 24h ahead (ingestion.max_event_ahead)'")).isEqualTo(1);
    assertThat(count("select last_event_id from ingestion_state")).isEqualTo(count("select max(id) from events_normalized"));
    TestDatabase.waitFor("published", () -> !published.isEmpty(), Duration.ofSeconds(2));
    assertThat(published.stream().mapToInt(EventsIngested::skipped).sum()).isEqualTo(6);
  }

  @Test
  void expiredIdempotencyKeysArePurged() throws Exception {
    TestDatabase.execute(url, "insert into event_submissions (idempotency_key, event_ids, created_at) values"
      + " ('old', array[1], now() - interval '25 hours'), ('fresh', array[2], now() - interval '23 hours')");
    deployIngestion();
    TestDatabase.waitFor("the expired key purged", () -> count("select count(*) from event_submissions where"
      + " idempotency_key = 'old'") == 0, Duration.ofSeconds(5));
    assertThat(count("select count(*) from event_submissions where idempotency_key = 'fresh'")).isEqualTo(1);
  }

  @Test
  void aRestartInTheMiddleOfABacklogNeitherSkipsNorRepeatsAnEvent() throws Exception {
    insertEvents(20_000, "Backlog Carriers");
    ConfigKeys.INGESTION_BATCH_SIZE.put(config, 100);
    String first = deployIngestion();
    TestDatabase.waitFor("part of the backlog", () -> count("select count(*) from predictions") >= 3_000, Duration.ofSeconds(30));
    vertx.undeploy(first).await();
    long atStop = count("select count(*) from predictions");
    assertThat(atStop).isLessThan(20_000);

    deployIngestion();
    TestDatabase.waitFor("the whole backlog", () -> count("select count(*) from predictions") == 20_000, Duration.ofSeconds(60));
    assertThat(count("select count(*) from predictions p join events_normalized e on e.id = p.event_id")).isEqualTo(20_000);
    assertThat(count("select last_event_id from ingestion_state")).isEqualTo(count("select max(id) from events_normalized"));
  }

  @Test
  void theWatermarkNeverPassesABatchStillInFlight() throws Exception {
    // A stand-in for prediction that answers the first batch late and the others at once.
    Vertx own = Vertx.vertx();
    try {
      java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
      own.eventBus().<JsonObject>consumer(Addresses.PREDICT, m -> {
        int n = m.body().getJsonArray("events").size();
        JsonObject reply = new JsonObject().put("predictions", new io.vertx.core.json.JsonArray())
          .put("errors", new io.vertx.core.json.JsonArray()).put("stored", n);
        if (requests.incrementAndGet() == 1) {
          own.setTimer(1_500, id -> m.reply(reply));
        } else {
          m.reply(reply);
        }
      }).completion().await();
      insertEvents(300, "Slow First");
      ConfigKeys.INGESTION_BATCH_SIZE.put(config, 100);
      ConfigKeys.INGESTION_BATCHES_IN_FLIGHT.put(config, 3);
      own.deployVerticle(new IngestionVerticle(), new DeploymentOptions().setConfig(config)).await();
      TestDatabase.waitFor("the later batches answered", () -> requests.get() >= 3, Duration.ofSeconds(5));
      Thread.sleep(300);
      assertThat(count("select last_event_id from ingestion_state")).as("first batch still in flight").isZero();
      TestDatabase.waitFor("the first batch answered", () -> count("select last_event_id from ingestion_state")
        == count("select max(id) from events_normalized"), Duration.ofSeconds(5));
    } finally {
      own.close().await();
    }
  }

  @Test
  void anEventCommittedLateBelowTheWatermarkIsStillIngested() throws Exception {
    deployIngestion();
    insertEvents(10, "Early Freight");
    TestDatabase.waitFor("10 predictions", () -> count("select count(*) from predictions") == 10, Duration.ofSeconds(5));
    // What a slow transaction looks like: an id lower than ones already processed appears later.
    TestDatabase.execute(url, "insert into events_normalized (id, occurred_at, supplier, route, vehicle_type, distance_km,"
      + " load_tonnes) values (-1 + (select min(id) from events_normalized), now(), 'Late Freight', 'R9', 'van', 10, 1)");
    TestDatabase.waitFor("the late event", () -> count("select count(*) from predictions where supplier = 'Late Freight'") == 1,
      Duration.ofSeconds(5));
  }
}
