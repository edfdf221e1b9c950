package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.support.FreshDatabase;
import io.carbonnexus.engine.support.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Models learn from an entity's hours read from the hour rollups where the range is whole hours,
 * from the minutes otherwise: both must give the same buckets and sums, second moments included.
 */
class HourlyActivityIT {

  private static final Instant FROM = Instant.parse("2026-11-27T09:00:00Z");
  private static final Instant TO = Instant.parse("2026-11-27T13:00:00Z");

  /** The rows of one of the bucket queries for [FROM, TO) by hour, sorted, as text. */
  private static List<String> rows(String url, String sql, String... entity) throws SQLException {
    String types = entity.length == 0 ? "timestamptz, float8, timestamptz" : "timestamptz, float8, timestamptz, text, text";
    String args = "'" + FROM + "', 3600, '" + TO + "'" + (entity.length == 0 ? "" : ", '" + entity[0] + "', '" + entity[1] + "'");
    List<String> out = new ArrayList<>();
    try (Connection c = TestDatabase.connect(url); Statement st = c.createStatement()) {
      st.execute("prepare q(" + types + ") as " + sql);
      try (ResultSet rs = st.executeQuery("execute q(" + args + ")")) {
        while (rs.next()) {
          out.add(rs.getString("entity_type") + " " + rs.getString("entity") + " " + rs.getInt("b") + " "
            + rs.getDouble("co2") + " " + rs.getDouble("events") + " " + rs.getDouble("tkm") + " " + rs.getDouble("co2_sq")
            + " " + rs.getDouble("co2_tkm") + " " + rs.getDouble("tkm_sq"));
        }
      }
    }
    out.sort(String::compareTo);
    return out;
  }

  @Test
  void theHourRollupsGiveTheSameHoursAsTheMinutesSecondMomentsIncluded() throws SQLException {
    String url = FreshDatabase.create().url();
    // 500 events 37 s apart from 08:50: before the range, across four hours, and after it.
    TestDatabase.execute(url, "insert into predictions (event_id, occurred_at, supplier, route, vehicle_type, co2_kg,"
      + " model, model_version, tonne_km) select g, '2026-11-27T08:50:00Z'::timestamptz + (g * 37 || ' seconds')::interval,"
      + " 'S' || (g % 3), 'R' || (g % 2), 'van', g % 50 + 1, 'builtin', 't', 3 * g from generate_series(1, 500) g");

    List<String> fromMinutes = rows(url, HotspotSql.BUCKET_ACTIVITY);
    List<String> fromHours = rows(url, HotspotSql.hourlyActivity(FROM, TO));

    assertThat(HotspotSql.hourlyActivity(FROM, TO)).isNotEqualTo(HotspotSql.BUCKET_ACTIVITY);
    assertThat(fromMinutes).hasSize(6 * 4); // 3 suppliers, 2 routes and 1 vehicle type, 4 hours
    assertThat(fromHours).isEqualTo(fromMinutes);
    assertThat(rows(url, HotspotSql.entityHourlyActivity(FROM, TO), "supplier", "S1"))
      .isEqualTo(rows(url, HotspotSql.ENTITY_BUCKET_ACTIVITY, "supplier", "S1")).hasSize(4);
  }

  @Test
  void aRangeThatIsNotWholeHoursIsReadFromTheMinutes() {
    Instant half = FROM.plusSeconds(1800);

    assertThat(HotspotSql.hourlyActivity(half, TO)).isEqualTo(HotspotSql.BUCKET_ACTIVITY);
    assertThat(HotspotSql.hourlyActivity(FROM, TO.minusSeconds(60))).isEqualTo(HotspotSql.BUCKET_ACTIVITY);
    assertThat(HotspotSql.entityHourlyActivity(half, TO)).isEqualTo(HotspotSql.ENTITY_BUCKET_ACTIVITY);
  }
}
