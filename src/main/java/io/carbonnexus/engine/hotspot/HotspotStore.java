package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.db.SqlTime;
import io.carbonnexus.engine.hotspot.HotspotPolicy.Transition;
import io.carbonnexus.engine.shared.EntityKey;
import io.carbonnexus.engine.shared.Hotspot;
import io.carbonnexus.engine.shared.HotspotChange;
import io.carbonnexus.engine.shared.HotspotStatus;
import io.carbonnexus.engine.shared.Severity;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.carbonnexus.engine.db.SqlTime.at;

/**
 * Writes hotspot transitions: the hotspot row and, for a change of level, its line in
 * {@code hotspot_changes}, in the evaluation's transaction (a retried evaluation finds the state
 * the first one committed and writes nothing).
 */
final class HotspotStore {

  /** An open hotspot as detection reads it. */
  record Open(long id, Severity severity, Instant openedAt, Reading reading, String laneSupplier, Instant reachedAt) {
  }

  private HotspotStore() {
  }

  static Future<Map<EntityKey, Open>> open(SqlConnection conn) {
    return conn.query(HotspotSql.OPEN_HOTSPOTS).execute().map(rows -> {
      Map<EntityKey, Open> open = new HashMap<>();
      for (Row r : rows) {
        EntityKey key = EntityKey.known(r.getString("entity_type"), r.getString("entity")).orElse(null);
        if (key == null) {
          continue;
        }
        Double expected = r.getDouble("expected");
        String kind = r.getString("kind");
        open.put(key,
          new Open(r.getLong("id"), Severity.of(r.getString("severity")), r.getOffsetDateTime("opened_at").toInstant(),
            new Reading(r.getString("window"), Reading.Measure.of(kind == null ? "emissions" : kind),
              r.getDouble("predicted"), expected == null ? Double.NaN : expected, r.getDouble("baseline")),
            r.getString("lane_supplier"), SqlTime.instant(r.getOffsetDateTime("level_reached_at"))));
      }
      return open;
    });
  }

  /** Forgets when open hotspots last reached their level: all of them, or these entities'; nothing is held then. */
  static Future<Void> releaseHolds(SqlConnection conn, boolean all, Set<EntityKey> entities) {
    if (all) {
      return conn.query(HotspotSql.RELEASE_ALL_HOLDS).execute().mapEmpty();
    }
    if (entities.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(HotspotSql.RELEASE_HOLD)
      .executeBatch(entities.stream().map(k -> Tuple.of(k.type().wire(), k.entity())).toList()).mapEmpty();
  }

  /** Applies each transition in turn; the hotspots it made are added to {@code changed}. */
  static Future<Void> apply(SqlConnection conn, Map<EntityKey, Transition> transitions, Map<EntityKey, Open> open,
                            Instant now, List<Hotspot> changed) {
    OffsetDateTime at = at(now);
    Future<Void> chain = Future.succeededFuture();
    for (Map.Entry<EntityKey, Transition> e : transitions.entrySet()) {
      EntityKey k = e.getKey();
      Transition tr = e.getValue();
      Open current = open.get(k);
      Reading r = stored(tr, current);
      chain = chain.compose(v -> switch (tr.kind()) {
        case OPENED -> conn.preparedQuery(HotspotSql.INSERT_HOTSPOT)
          .execute(Tuple.of(k.type().wire(), k.entity(), r.predicted(), r.baseline(), percent(r), tr.severity().wire(), at)
            .addString(r.window()).addString(r.measure().wire()).addDouble(expected(r)).addString(r.laneSupplier())
            .addOffsetDateTime(at(tr.reachedAt())))
          .compose(rows -> {
            long id = rows.iterator().next().getLong(0);
            changed.add(hotspot(id, k, tr, r, HotspotStatus.OPEN, now, now, null));
            return change(conn, id, tr, r, at);
          });
        case RESOLVED -> conn.preparedQuery(HotspotSql.RESOLVE_HOTSPOT)
          .execute(Tuple.of(current.id(), r.predicted(), r.baseline(), percent(r), at, r.window(), r.measure().wire())
            .addDouble(expected(r)).addString(r.laneSupplier()))
          .compose(rows -> {
            changed.add(hotspot(current.id(), k, tr, r, HotspotStatus.RESOLVED, current.openedAt(), now, now));
            return change(conn, current.id(), tr, r, at);
          });
        default -> conn.preparedQuery(HotspotSql.UPDATE_HOTSPOT)
          .execute(Tuple.of(current.id(), r.predicted(), r.baseline(), percent(r), tr.severity().wire(), at, r.window())
            .addString(r.measure().wire()).addDouble(expected(r)).addString(r.laneSupplier())
            .addOffsetDateTime(at(tr.reachedAt())))
          .compose(rows -> {
            changed.add(hotspot(current.id(), k, tr, r, HotspotStatus.OPEN, current.openedAt(), now, null));
            return tr.kind().isTransition() ? change(conn, current.id(), tr, r, at) : Future.succeededFuture();
          });
      });
    }
    return chain;
  }

  /** The reading to store: a resolution without a reading of its own keeps the hotspot's last one. */
  private static Reading stored(Transition tr, Open current) {
    Reading r = tr.reading();
    if (current != null && (r == null || !(r.baseline() > 0))) {
      return current.reading();
    }
    return r;
  }

  private static int percent(Reading r) {
    return HotspotPolicy.percentAbove(r.predicted(), r.baseline());
  }

  private static Double expected(Reading r) {
    return Double.isNaN(r.expected()) ? null : r.expected();
  }

  private static Future<Void> change(SqlConnection conn, long hotspotId, Transition tr, Reading r, OffsetDateTime at) {
    return conn.preparedQuery(HotspotSql.INSERT_CHANGE)
      .execute(Tuple.of(hotspotId, tr.kind().wire(), tr.severity().wire(), r.predicted(), r.baseline(), percent(r), at)
        .addString(r.window()).addDouble(expected(r)).addString(r.measure().wire()))
      .mapEmpty();
  }

  private static Hotspot hotspot(long id, EntityKey k, Transition tr, Reading r, HotspotStatus status, Instant openedAt,
                                 Instant updatedAt, Instant resolvedAt) {
    return new Hotspot(id, k.entity(), k.type(), r.predicted(), r.baseline(), percent(r), tr.severity(), status,
      openedAt, updatedAt, resolvedAt, tr.kind(), r.window(), r.measure().wire(), expected(r), r.laneSupplier());
  }

  /** A transition that only repeats what is stored (same level, same numbers, same time reached) is not worth a write. */
  static boolean unchanged(Transition tr, Open current) {
    if (tr.kind() != HotspotChange.UPDATED || current == null) {
      return false;
    }
    Reading a = tr.reading();
    Reading b = current.reading();
    return Math.abs(a.predicted() - b.predicted()) < 1e-9 && a.baseline() == b.baseline()
      && java.util.Objects.equals(a.window(), b.window()) && a.measure() == b.measure()
      && java.util.Objects.equals(a.laneSupplier(), current.laneSupplier())
      && java.util.Objects.equals(tr.reachedAt(), current.reachedAt());
  }
}
