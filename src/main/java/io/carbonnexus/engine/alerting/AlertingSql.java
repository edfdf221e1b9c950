package io.carbonnexus.engine.alerting;

/** The alerting verticle's queries. */
final class AlertingSql {

  /** One hotspot's alerts are decided one at a time across every engine (a cluster hears each change on every node). */
  static final String LOCK_HOTSPOT = "select pg_advisory_xact_lock(hashtextextended('nexus.alerting:' || $1, 0))";

  /** The last notification of a hotspot and when the last firing or repeat went out. */
  static final String LAST_ALERT = """
    select kind, level, created_at, acknowledged_at from alerts where hotspot_id = $1 order by id desc limit 1
    """;

  static final String SILENCED_UNTIL = """
    select max(until) from silences where entity_type = $1 and entity = $2 and until > $3
    """;

  /** The dedup key makes a redelivered change, or a second node hearing it, write nothing. */
  static final String INSERT_ALERT = """
    insert into alerts (level, message, hotspot_id, kind, dedup_key, created_at, entity_type, entity, percent_above)
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
    on conflict (dedup_key) do nothing
    returning id
    """;

  /** Open hotspots whose alert fired, is not acknowledged, and was last sent before $1: due for a repeat. */
  static final String DUE_FOR_REPEAT = """
    select h.id, h.entity, h.entity_type, h.predicted, h.baseline, h.percent_above, h.severity, h.status,
           h.opened_at, h.updated_at
      from hotspots h
      join lateral (select a.kind, a.created_at, a.acknowledged_at from alerts a
                     where a.hotspot_id = h.id order by a.id desc limit 1) last on true
     where h.status = 'open' and last.kind <> 'resolved' and last.acknowledged_at is null and last.created_at <= $1
    """;

  /** Acknowledges the hotspot's alerts up to this one: its firing alert stops repeating. */
  static final String ACKNOWLEDGE = """
    update alerts a set acknowledged_at = coalesce(a.acknowledged_at, $2), acknowledged_by = coalesce(a.acknowledged_by, $3)
      from alerts target
     where target.id = $1 and a.hotspot_id = target.hotspot_id and a.id <= target.id
    """;

  static final String ALERT_BY_ID = """
    select id, level, message, hotspot_id, created_at, kind, entity_type, entity, percent_above, acknowledged_at
      from alerts where id = $1
    """;

  static final String INSERT_SILENCE = """
    insert into silences (entity_type, entity, until, reason, created_by) values ($1, $2, $3, $4, $5) returning id
    """;

  private AlertingSql() {
  }
}
