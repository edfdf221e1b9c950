package io.carbonnexus.engine.db;

import io.carbonnexus.engine.prediction.EmissionFactor;
import io.carbonnexus.engine.prediction.EmissionFactorTable;
import io.carbonnexus.engine.support.FreshDatabase;
import io.carbonnexus.engine.support.TestDatabase;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MigrationsIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** The columns fixed for each table other teams read or write (docs/architecture.md, "Contracts"). */
  private static final Map<String, Set<String>> CONTRACT = new LinkedHashMap<>();

  static {
    CONTRACT.put("events_normalized", Set.of("id", "occurred_at", "supplier", "route", "vehicle_type", "distance_km",
      "load_tonnes", "payload_capacity_tonnes", "origin", "destination", "shipment_id"));
    CONTRACT.put("predictions", Set.of("event_id", "co2_kg", "model", "model_version", "predicted_at"));
    CONTRACT.put("baselines", Set.of("entity_type", "entity", "baseline", "source", "computed_at"));
    CONTRACT.put("hotspots", Set.of("id", "entity", "entity_type", "predicted", "baseline", "percent_above", "severity",
      "status", "opened_at", "updated_at"));
    CONTRACT.put("alerts", Set.of("id", "level", "message", "hotspot_id", "created_at"));
    CONTRACT.put("recommendations", Set.of("id", "hotspot_id", "entity", "root_cause", "actions", "source", "created_at"));
  }

  @Test
  void migrationsCreateEveryContractTableAndColumnOnAnEmptyDatabase() throws SQLException {
    String url = TestDatabase.get().createDatabase();
    int applied = Migrations.migrate(DatabaseUrl.parse(url), TIMEOUT);
    assertThat(applied).isPositive();
    try (Connection c = TestDatabase.connect(url)) {
      for (var table : CONTRACT.entrySet()) {
        assertThat(columns(c, table.getKey())).as("columns of %s", table.getKey()).containsAll(table.getValue());
      }
    }
  }

  @Test
  void migratingASecondTimeIsANoOp() throws SQLException {
    String url = TestDatabase.get().createDatabase();
    Migrations.migrate(DatabaseUrl.parse(url), TIMEOUT);
    String before = schemaFingerprint(url);
    assertThat(Migrations.migrate(DatabaseUrl.parse(url), TIMEOUT)).isZero();
    assertThat(schemaFingerprint(url)).isEqualTo(before);
  }

  @Test
  void anEventsTableMadeByDataCoreIsKeptWithItsRowsAndExtraColumns() throws SQLException {
    String url = TestDatabase.get().createDatabase();
    TestDatabase.execute(url, """
      create table events_normalized (
        id bigserial primary key, occurred_at timestamptz not null, supplier text not null, route text not null,
        vehicle_type text not null, distance_km double precision not null, load_tonnes double precision not null,
        customer_ref text);
      insert into events_normalized (occurred_at, supplier, route, vehicle_type, distance_km, load_tonnes, customer_ref)
        values (now(), 'Supplier A', 'R1', 'hgv_diesel', 100, 10, 'C-1');
      """);
    Migrations.migrate(DatabaseUrl.parse(url), TIMEOUT);
    try (Connection c = TestDatabase.connect(url); var st = c.createStatement();
         ResultSet rs = st.executeQuery("select customer_ref, payload_capacity_tonnes from events_normalized")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("C-1");
      assertThat(rs.getObject(2)).isNull();
      assertThat(columns(c, "events_normalized")).containsAll(CONTRACT.get("events_normalized"));
    }
  }

  @Test
  void aSecondPredictionForTheSameEventIsRefused() {
    String url = migratedDatabase();
    String insert = "insert into predictions (event_id, occurred_at, supplier, route, vehicle_type, co2_kg, model, model_version)"
      + " values (1, now(), 'S', 'R', 'van_diesel', 1.5, 'builtin', 'defra-2025')";
    TestDatabase.execute(url, insert);
    assertThatThrownBy(() -> TestDatabase.execute(url, insert)).hasMessageContaining("duplicate key");
  }

  @Test
  void anEntityCannotHaveTwoOpenHotspots() {
    String url = migratedDatabase();
    String open = "insert into hotspots (entity_type, entity, predicted, baseline, percent_above, severity, opened_at, updated_at)"
      + " values ('supplier', 'Supplier A', 122, 60, 103, 'critical', now(), now())";
    TestDatabase.execute(url, open);
    assertThatThrownBy(() -> TestDatabase.execute(url, open)).hasMessageContaining("hotspots_one_open_per_entity");
    TestDatabase.execute(url, "update hotspots set status = 'resolved', resolved_at = now()");
    TestDatabase.execute(url, open);
  }

  @Test
  void theSameAlertCannotBeStoredTwice() {
    String url = migratedDatabase();
    TestDatabase.execute(url, "insert into hotspots (entity_type, entity, predicted, baseline, percent_above, severity,"
      + " opened_at, updated_at) values ('route', 'R12', 90, 60, 50, 'warn', now(), now())");
    String alert = "insert into alerts (level, message, hotspot_id, kind, dedup_key)"
      + " select 'warn', 'R12 exceeded emissions by 50%', id, 'opened', 'h' || id || ':opened:warn' from hotspots";
    TestDatabase.execute(url, alert);
    assertThatThrownBy(() -> TestDatabase.execute(url, alert)).hasMessageContaining("duplicate key");
  }

  @Test
  void severitiesOutsideTheContractAreRefused() {
    String url = migratedDatabase();
    assertThatThrownBy(() -> TestDatabase.execute(url, "insert into hotspots (entity_type, entity, predicted, baseline,"
      + " percent_above, severity, opened_at, updated_at) values ('route', 'R1', 1, 1, 0, 'severe', now(), now())"))
      .hasMessageContaining("hotspots_severity_check");
  }

  @Test
  void minuteRollupsFollowEveryWriteToPredictions() {
    String url = migratedDatabase();
    String insert = "insert into predictions (event_id, occurred_at, supplier, route, vehicle_type, co2_kg, model, model_version)"
      + " select g, '2026-11-27T10:00:00Z'::timestamptz + (g || ' seconds')::interval, 'S' || (g % 3), 'R' || (g % 2),"
      + " 'van', g, 'builtin', 't' from generate_series(1, 200) g on conflict do nothing";
    String mismatch = """
      select count(*) from (
        select x.entity_type, x.entity, date_trunc('minute', p.occurred_at) as minute, sum(p.co2_kg) as co2
          from predictions p
          cross join lateral (values ('supplier', p.supplier), ('route', p.route), ('vehicle_type', p.vehicle_type))
            as x(entity_type, entity)
         group by 1, 2, 3) direct
      full join (select entity_type, entity, minute, co2_kg as co2 from entity_minute_totals where events <> 0) rolled
        using (entity_type, entity, minute)
       where direct.co2 is distinct from rolled.co2""";
    TestDatabase.execute(url, insert);
    TestDatabase.execute(url, insert); // a retried insert adds nothing
    assertThat(TestDatabase.queryLong(url, mismatch)).isZero();
    assertThat(TestDatabase.queryLong(url, "select sum(co2_kg) from entity_minute_totals where entity_type = 'supplier'"))
      .isEqualTo(20100); // 1 + 2 + ... + 200
    TestDatabase.execute(url, "delete from predictions where event_id <= 50");
    TestDatabase.execute(url, "update predictions set co2_kg = co2_kg * 2.5 where event_id > 150");
    TestDatabase.execute(url, "update predictions set supplier = 'Moved', occurred_at = occurred_at + interval '1 hour'"
      + " where event_id between 60 and 80");
    assertThat(TestDatabase.queryLong(url, mismatch)).isZero();
    TestDatabase.execute(url, "truncate predictions");
    assertThat(TestDatabase.queryLong(url, "select count(*) from entity_minute_totals")).isZero();
  }

  @Test
  void laneRollupsFollowEveryWriteToPredictions() {
    String url = migratedDatabase();
    // Three suppliers on two routes: six lanes, with tonne-km, the second moments and the flights detection reads.
    TestDatabase.execute(url, LANE_INSERT);
    TestDatabase.execute(url, LANE_INSERT); // a retried insert adds nothing
    assertThat(TestDatabase.queryLong(url, "select count(distinct (supplier, route)) from lane_minute_totals")).isEqualTo(6);
    assertThat(TestDatabase.queryLong(url, LANE_MISMATCH)).isZero();
    assertThat(TestDatabase.queryLong(url, "select sum(air_events) from lane_minute_totals")).isEqualTo(50);
    TestDatabase.execute(url, "delete from predictions where event_id <= 50");
    TestDatabase.execute(url, "update predictions set co2_kg = co2_kg * 2.5 where event_id > 150");
    TestDatabase.execute(url, "update predictions set supplier = 'Moved', occurred_at = occurred_at + interval '1 hour'"
      + " where event_id between 60 and 80");
    TestDatabase.execute(url, "update predictions set vehicle_type = 'plane' where event_id between 81 and 90");
    assertThat(TestDatabase.queryLong(url, LANE_MISMATCH)).isZero();
    // Of 51..200, every fourth flown (38), and the eight vans of 81..90 now planes.
    assertThat(TestDatabase.queryLong(url, "select sum(air_events) from lane_minute_totals")).isEqualTo(38 + 8);
    assertThat(TestDatabase.queryLong(url, "select count(*) from lane_minute_totals where supplier = 'Moved'")).isPositive();
    TestDatabase.execute(url, "truncate predictions");
    assertThat(TestDatabase.queryLong(url, "select count(*) from lane_minute_totals")).isZero();
  }

  /** 200 shipments a second apart, every fourth flown (spelled as events may spell it). */
  private static final String LANE_INSERT = "insert into predictions (event_id, occurred_at, supplier, route, vehicle_type,"
    + " co2_kg, model, model_version, tonne_km) select g, '2026-11-27T10:00:00Z'::timestamptz + (g || ' seconds')::interval,"
    + " 'S' || (g % 3), 'R' || (g % 2), case when g % 4 = 0 then ' Air Short-Haul' else 'van' end, g, 'builtin', 't',"
    + " 10 * g from generate_series(1, 200) g on conflict do nothing";

  /** Lane minutes whose sums, second moments and flights differ from the predictions' own: 0 when the lane rollups are right. */
  private static final String LANE_MISMATCH = """
    select count(*) from (
      select supplier, route, date_trunc('minute', occurred_at) as minute, sum(co2_kg) as co2, count(*) as events,
             sum(tonne_km) as tkm, sum(co2_kg * co2_kg) as co2_sq, sum(co2_kg * tonne_km) as co2_tkm,
             sum(tonne_km * tonne_km) as tkm_sq, count(*) filter (where nexus_flies(vehicle_type)) as air
        from predictions
       group by 1, 2, 3) direct
    full join (select supplier, route, minute, co2_kg as co2, events, tonne_km as tkm, co2_sq, co2_tkm, tkm_sq,
                      air_events as air
                 from lane_minute_totals where events <> 0) rolled
      using (supplier, route, minute)
     where direct.co2 is distinct from rolled.co2 or direct.events is distinct from rolled.events
        or direct.tkm is distinct from rolled.tkm or direct.co2_sq is distinct from rolled.co2_sq
        or direct.co2_tkm is distinct from rolled.co2_tkm or direct.tkm_sq is distinct from rolled.tkm_sq
        or direct.air is distinct from rolled.air""";

  @Test
  void theShipmentsThatFlyAreThoseOfTheFactorTablesAirFactorsHoweverTheyAreSpelled() {
    String url = migratedDatabase();
    EmissionFactorTable table = EmissionFactorTable.builtin();
    assertThat(table.flies("air")).isTrue();
    assertThat(table.flies("air_short_haul")).isTrue();
    List<String> spellings = new ArrayList<>();
    for (EmissionFactor f : table.factors()) {
      spellings.add(f.vehicleType());
      spellings.addAll(f.aliases());
      spellings.add(" " + f.vehicleType().toUpperCase(Locale.ROOT).replace('_', '-') + " ");
      spellings.add(f.vehicleType().replace('_', ' '));
    }
    spellings.addAll(List.of("air\r", "\tplane", "\u0001AIR\u000B", "Air\fShort - Haul", "air__short_haul",
      "air\u00A0", "\u2028plane", "hovercraft", "van-diesel"));
    for (String name : spellings) {
      assertThat(TestDatabase.queryLong(url, "select count(*) from (select 1 where nexus_flies(E'" + escaped(name)
        + "')) x")).as("'%s' flies", name).isEqualTo(table.flies(name) ? 1 : 0);
    }
    assertThat(spellings.stream().filter(table::flies).count()).isGreaterThanOrEqualTo(4 * 2);
    assertThat(TestDatabase.queryLong(url, "select count(*) from (select 1 where nexus_flies(null)) x")).isZero();
  }

  /** A PostgreSQL escape string's body: every character outside printable ASCII as a Unicode escape. */
  private static String escaped(String s) {
    StringBuilder sb = new StringBuilder();
    s.chars().forEach(c -> sb.append(c >= 0x20 && c < 0x7F && c != '\'' && c != '\\' ? String.valueOf((char) c)
      : String.format(Locale.ROOT, "\\u%04X", c)));
    return sb.toString();
  }

  @Test
  void flightsStoredBeforeV19AreCountedInTheLaneRollups() {
    String url = databaseAt("18");
    DatabaseUrl db = DatabaseUrl.parse(url);
    TestDatabase.execute(url, LANE_INSERT);

    assertThat(Migrations.migrate(db, Duration.ofSeconds(10))).isPositive();

    assertThat(TestDatabase.queryLong(url, "select sum(air_events) from lane_minute_totals")).isEqualTo(50);
    assertThat(TestDatabase.queryLong(url, LANE_MISMATCH)).isZero();
  }

  /** Hours whose sums, second moments too, differ from the predictions' own: 0 when the hour rollups are right. */
  private static final String HOUR_MISMATCH = """
    select count(*) from (
      select x.entity_type, x.entity, date_trunc('hour', p.occurred_at, 'UTC') as hour, sum(p.co2_kg) as co2,
             count(*) as events, sum(p.tonne_km) as tkm, sum(p.co2_kg * p.co2_kg) as co2_sq,
             sum(p.co2_kg * p.tonne_km) as co2_tkm, sum(p.tonne_km * p.tonne_km) as tkm_sq
        from predictions p
        cross join lateral (values ('supplier', p.supplier), ('route', p.route), ('vehicle_type', p.vehicle_type))
          as x(entity_type, entity)
       group by 1, 2, 3) direct
    full join (select entity_type, entity, hour, co2_kg as co2, events, tonne_km as tkm, co2_sq, co2_tkm, tkm_sq
                 from entity_hour_totals where events <> 0) rolled
      using (entity_type, entity, hour)
     where direct.co2 is distinct from rolled.co2 or direct.events is distinct from rolled.events
        or direct.tkm is distinct from rolled.tkm or direct.co2_sq is distinct from rolled.co2_sq
        or direct.co2_tkm is distinct from rolled.co2_tkm or direct.tkm_sq is distinct from rolled.tkm_sq""";

  /** 400 events a few seconds apart from 10:55: they span two hours and more than one minute each. */
  private static final String HOUR_INSERT = "insert into predictions (event_id, occurred_at, supplier, route,"
    + " vehicle_type, co2_kg, model, model_version, tonne_km) select g, '2026-11-27T10:55:00Z'::timestamptz"
    + " + (g * 3 || ' seconds')::interval, 'S' || (g % 3), 'R' || (g % 2), 'van', g, 'builtin', 't', 10 * g"
    + " from generate_series(1, 400) g on conflict do nothing";

  @Test
  void hourRollupsFollowEveryWriteToPredictions() {
    String url = migratedDatabase();
    TestDatabase.execute(url, HOUR_INSERT);
    TestDatabase.execute(url, HOUR_INSERT); // a retried insert adds nothing
    assertThat(TestDatabase.queryLong(url, "select count(distinct hour) from entity_hour_totals")).isEqualTo(2);
    assertThat(TestDatabase.queryLong(url, "select count(*) from entity_hour_totals where co2_sq <= 0")).isZero();
    assertThat(TestDatabase.queryLong(url, HOUR_MISMATCH)).isZero();
    TestDatabase.execute(url, "delete from predictions where event_id <= 50");
    TestDatabase.execute(url, "update predictions set co2_kg = co2_kg * 2.5 where event_id > 350");
    TestDatabase.execute(url, "update predictions set supplier = 'Moved', occurred_at = occurred_at + interval '1 hour'"
      + " where event_id between 60 and 80");
    assertThat(TestDatabase.queryLong(url, HOUR_MISMATCH)).isZero();
    TestDatabase.execute(url, "truncate predictions");
    assertThat(TestDatabase.queryLong(url, "select count(*) from entity_hour_totals")).isZero();
  }

  @Test
  void hourRollupsAreUtcHoursWhateverTheWritersTimeZone() {
    String url = migratedDatabase();
    // India is five and a half hours ahead: an hour truncated there starts at :30 UTC.
    TestDatabase.execute(url, "set time zone 'Asia/Kolkata'; " + HOUR_INSERT);
    TestDatabase.execute(url, "set time zone 'Asia/Kolkata'; update predictions set co2_kg = co2_kg * 2 where event_id > 300");

    assertThat(TestDatabase.queryLong(url, "select count(*) from entity_hour_totals"
      + " where hour <> date_trunc('hour', hour, 'UTC')")).isZero();
    assertThat(TestDatabase.queryLong(url, HOUR_MISMATCH)).isZero();
  }

  @Test
  void hoursStoredBeforeV18AreRebuiltFromTheMinutesAsUtcHoursWithSecondMoments() {
    // A database as V17 left it: hour rollups without second moments, written by a session in India.
    String url = databaseAt("17");
    DatabaseUrl db = DatabaseUrl.parse(url);
    TestDatabase.execute(url, "set time zone 'Asia/Kolkata'; " + HOUR_INSERT);

    assertThat(Migrations.migrate(db, Duration.ofSeconds(10))).isPositive();

    assertThat(TestDatabase.queryLong(url, "select count(*) from entity_hour_totals where co2_sq <= 0")).isZero();
    assertThat(TestDatabase.queryLong(url, HOUR_MISMATCH)).isZero();
  }

  /** A new database migrated up to {@code version} only, as an engine of that version left it. */
  private static String databaseAt(String version) {
    String url = TestDatabase.get().createDatabase();
    DatabaseUrl db = DatabaseUrl.parse(url);
    Flyway.configure().dataSource(db.jdbcUrl(TIMEOUT), db.user(), db.password())
      .locations("classpath:db/migration").table(Migrations.HISTORY_TABLE).target(version).load().migrate();
    return url;
  }

  private static String migratedDatabase() {
    return FreshDatabase.create().url();
  }

  private static Set<String> columns(Connection c, String table) throws SQLException {
    Set<String> names = new TreeSet<>();
    try (ResultSet rs = c.getMetaData().getColumns(null, "public", table, null)) {
      while (rs.next()) {
        names.add(rs.getString("COLUMN_NAME"));
      }
    }
    return names;
  }

  /** Tables, columns, types and indexes: anything a migration could change. */
  private static String schemaFingerprint(String url) throws SQLException {
    StringBuilder sb = new StringBuilder();
    try (Connection c = TestDatabase.connect(url); var st = c.createStatement();
         ResultSet rs = st.executeQuery("""
           select table_name || '.' || column_name || ':' || data_type from information_schema.columns
            where table_schema = 'public'
           union all
           select indexname || ':' || indexdef from pg_indexes where schemaname = 'public'
           order by 1""")) {
      while (rs.next()) {
        sb.append(rs.getString(1)).append('\n');
      }
    }
    return sb.toString();
  }
}
