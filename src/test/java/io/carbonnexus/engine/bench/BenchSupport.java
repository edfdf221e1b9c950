package io.carbonnexus.engine.bench;

import io.carbonnexus.engine.db.DatabaseUrl;
import io.carbonnexus.engine.demo.DemoEvent;
import io.carbonnexus.engine.demo.DemoEventGenerator;
import io.carbonnexus.engine.prediction.EmissionFactor;
import io.carbonnexus.engine.prediction.EmissionFactorTable;
import io.carbonnexus.engine.shared.EmissionsBasis;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What the benchmarks share: a producer that inserts events as data-core would, the SQL factor table, statistics. */
public final class BenchSupport {

  private static final String INSERT = """
    insert into events_normalized (occurred_at, supplier, route, vehicle_type, distance_km, load_tonnes,
                                   payload_capacity_tonnes, origin, destination, shipment_id)
    select * from unnest(?::timestamptz[], ?::text[], ?::text[], ?::text[], ?::float8[], ?::float8[], ?::float8[],
                         ?::text[], ?::text[], ?::text[])""";

  private BenchSupport() {
  }

  static Connection jdbc(String url) throws Exception {
    DatabaseUrl db = DatabaseUrl.parse(url);
    return DriverManager.getConnection(db.jdbcUrl(Duration.ofSeconds(10)), db.user(), db.password());
  }

  /** N realistic demo events (every vehicle type, capacities for road vehicles) occurring from {@code from} on. */
  static List<DemoEvent> events(int n, Instant from, double perDay) {
    DemoEventGenerator generator = new DemoEventGenerator(new DemoEventGenerator.Settings(7, perDay, 0, Duration.ofHours(1), 1));
    List<DemoEvent> all = new ArrayList<>(n);
    Instant t = from;
    while (all.size() < n) {
      List<DemoEvent> chunk = generator.generate(t, t.plus(Duration.ofHours(1)));
      t = t.plus(Duration.ofHours(1));
      all.addAll(chunk.subList(0, Math.min(chunk.size(), n - all.size())));
    }
    return all;
  }

  /** Inserts the events in statements of {@code chunk} rows, each committed on its own, as a producer would. */
  public static void insert(String url, List<DemoEvent> events, int chunk) throws Exception {
    try (Connection c = jdbc(url); PreparedStatement insert = prepareInsert(c)) {
      for (int from = 0; from < events.size(); from += chunk) {
        insert(c, insert, events.subList(from, Math.min(events.size(), from + chunk)));
      }
    }
  }

  static PreparedStatement prepareInsert(Connection c) throws Exception {
    return c.prepareStatement(INSERT);
  }

  /** One statement inserting {@code part}, committed on its own (autocommit): one transaction, one NOTIFY. */
  static void insert(Connection c, PreparedStatement insert, List<DemoEvent> part) throws Exception {
    int k = part.size();
    Object[][] cols = new Object[10][k];
    for (int i = 0; i < k; i++) {
      DemoEvent e = part.get(i);
      cols[0][i] = OffsetDateTime.ofInstant(e.occurredAt(), ZoneOffset.UTC);
      cols[1][i] = e.supplier();
      cols[2][i] = e.route();
      cols[3][i] = e.vehicleType();
      cols[4][i] = e.distanceKm();
      cols[5][i] = e.loadTonnes();
      cols[6][i] = e.payloadCapacityTonnes();
      cols[7][i] = e.origin();
      cols[8][i] = e.destination();
      cols[9][i] = e.shipmentId();
    }
    String[] types = {"timestamptz", "text", "text", "text", "float8", "float8", "float8", "text", "text", "text"};
    for (int col = 0; col < 10; col++) {
      insert.setArray(col + 1, c.createArrayOf(types[col], cols[col]));
    }
    insert.executeUpdate();
  }

  /**
   * The rollup triggers of {@code predictions} (minutes, hours, lanes: V6, V10, V14, V15) on a copy
   * of it, through the same functions, so that writing the copy costs what writing predictions does.
   */
  static void addRollupTriggers(Statement st, String table) throws Exception {
    // Trigger name suffix (the order they fire in), insert function, truncate function.
    List<List<String>> rollups = List.of(
      List.of("", "nexus_predictions_inserted", "nexus_predictions_truncated"),
      List.of("zhours", "nexus_predictions_hours_inserted", "nexus_predictions_hours_truncated"),
      List.of("zlanes", "nexus_predictions_lanes_changed", "nexus_predictions_lanes_truncated"));
    for (List<String> rollup : rollups) {
      String name = table + "_rollup" + rollup.get(0);
      st.execute("create trigger " + name + "_insert after insert on " + table
        + " referencing new table as nexus_new_predictions for each statement execute function " + rollup.get(1) + "()");
      st.execute("create trigger " + name + "_truncate after truncate on " + table
        + " for each statement execute function " + rollup.get(2) + "()");
    }
  }

  /** The factor table in SQL, every alias normalised the way the engine normalises names. */
  static void createFactorTable(Statement st) throws Exception {
    st.execute("create table if not exists bench_factors (name text primary key, kg_tkm float8, vkm_empty float8,"
      + " vkm_full float8, wtt_kg_tkm float8, wtt_vkm_empty float8, wtt_vkm_full float8, electric boolean)");
    for (EmissionFactor f : EmissionFactorTable.builtin().factors()) {
      List<String> names = new ArrayList<>(f.aliases());
      names.add(f.vehicleType());
      // The load-factor method where the engine applies it: both ends of the range, in both tables.
      boolean loadFactor = f.supportsLoadFactorMethod();
      for (String name : names) {
        st.execute(String.format(Locale.ROOT, "insert into bench_factors values ('%s', %s, %s, %s, %s, %s, %s, %s)"
            + " on conflict do nothing", name.trim().toLowerCase(Locale.ROOT).replaceAll("[\\s\\-]+", "_"),
          f.kgPerTonneKm(), loadFactor ? f.kgPerVehicleKmEmpty() : null, loadFactor ? f.kgPerVehicleKmFull() : null,
          f.wttKgPerTonneKm(), loadFactor ? f.wttKgPerVehicleKmEmpty() : null,
          loadFactor ? f.wttKgPerVehicleKmFull() : null, f.electric()));
      }
    }
  }

  /**
   * The built-in model's arithmetic as one INSERT .. SELECT into {@code table}, as the engine
   * stores it on its default basis (well-to-wheel): tank-to-wheel and well-to-tank by the same
   * method (zero tank-to-wheel for an electric vehicle, ISO 14083), their sum as co2_kg, and tonne-km.
   */
  static String pureSqlPredictions(String table, boolean normalizeNames) {
    String join = normalizeNames
      ? "f.name = regexp_replace(lower(trim(e.vehicle_type)), '[[:space:]-]+', '_', 'g')"
      : "f.name = e.vehicle_type";
    return """
      insert into %s (event_id, occurred_at, supplier, route, vehicle_type, co2_kg, model, model_version, method, tonne_km,
                      co2e_ttw_kg, co2e_wtt_kg, co2e_wtw_kg, factor_set, basis)
      select id, occurred_at, supplier, route, vehicle_type, generated + upstream, 'builtin', 'sql', method, tonne_km,
             case when electric then 0 else generated end, case when electric then generated + upstream else upstream end,
             generated + upstream, '%s', '%s'
        from (select e.id, e.occurred_at, e.supplier, e.route, e.vehicle_type, f.electric, e.distance_km * e.load_tonnes as tonne_km,
                     case when lf then e.distance_km * (f.vkm_empty + e.load_tonnes / e.payload_capacity_tonnes * (f.vkm_full - f.vkm_empty))
                          else e.distance_km * e.load_tonnes * f.kg_tkm end as generated,
                     case when lf then e.distance_km * (f.wtt_vkm_empty
                                         + e.load_tonnes / e.payload_capacity_tonnes * (f.wtt_vkm_full - f.wtt_vkm_empty))
                          else e.distance_km * e.load_tonnes * f.wtt_kg_tkm end as upstream,
                     case when lf then 'load_factor' else 'tonne_km' end as method
                from events_normalized e
                join bench_factors f on %s
                cross join lateral (select e.payload_capacity_tonnes > 0 and f.vkm_empty is not null
                                           and e.load_tonnes <= e.payload_capacity_tonnes as lf) m
               where e.distance_km >= 0 and e.load_tonnes >= 0) p
      on conflict (event_id) do nothing
      """.formatted(table, EmissionFactorTable.FACTOR_SET, EmissionsBasis.WTW.wire(), join);
  }

  static double median(List<Double> values) {
    return percentile(values, 50);
  }

  static double percentile(List<Double> values, double p) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    if (sorted.length == 0) {
      return Double.NaN;
    }
    double position = p / 100 * (sorted.length - 1);
    int low = (int) Math.floor(position);
    int high = (int) Math.ceil(position);
    return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
  }

  /** The p-th percentile of latencies already sorted, nearest rank (a latency that was really measured). */
  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return -1;
    }
    int rank = (int) Math.ceil(p / 100 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /**
   * A JVM of its own on this JVM's class path, with every {@code bench.*} property passed on and
   * standard error shared; its standard input and output are the caller's to talk over.
   */
  static Process childJvm(String mainClass, List<String> jvmOptions, List<String> args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    System.getProperties().stringPropertyNames().stream()
      .filter(name -> name.startsWith("bench.") || name.equals("logback.configurationFile"))
      .sorted()
      .forEach(name -> command.add("-D" + name + "=" + System.getProperty(name)));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(args);
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  static String describe(List<Double> values) {
    return String.format(Locale.ROOT, "p50 %.1f ms, p90 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms (n = %d)",
      percentile(values, 50), percentile(values, 90), percentile(values, 95), percentile(values, 99),
      values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN), values.size());
  }

}
