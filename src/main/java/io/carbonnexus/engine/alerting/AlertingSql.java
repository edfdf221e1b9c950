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

  /**
   * The dedup key makes a redelivered change, or a second node hearing it, write nothing. The
   * alert enters the notification outbox in the same statement: it is routed to receivers exactly
   * when it is stored.
   */
  static final String INSERT_ALERT = """
    with inserted as (
      insert into alerts (level, message, hotspot_id, kind, dedup_key, created_at, entity_type, entity, percent_above)
      values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
      on conflict (dedup_key) do nothing
      returning id
    ), queued as (
      insert into notification_outbox (alert_id, created_at) select id, $6 from inserted
    )
    select id from inserted
    """;

  /** The hotspot as it is now: a change older than this, or for a hotspot resolved since, is stale. */
  static final String CURRENT_HOTSPOT = "select status, updated_at from hotspots where id = $1";

  /**
   * Hotspots whose alerts need another look without a change to carry it: a firing alert due for a
   * repeat ($1), a resolution that was not sent (silenced, or a missed change; resolved in the last
   * day), an open hotspot at an alerting level ($2) that never alerted (a silence ended, a missed
   * change), or one now above the level that fires (a missed escalation). Each row says which change
   * to re-decide it as.
   */
  static final String RECONCILE = """
    select h.id, h.entity, h.entity_type, h.predicted, h.baseline, h.percent_above, h.severity, h.status,
           h.opened_at, h.updated_at, h.resolved_at, h."window", h.kind, h.expected, h.lane_supplier,
           case when h.status = 'resolved' then 'resolved'
                when last.kind is null then 'updated'
                when array_position(array['info','warn','critical'], h.severity)
                     > array_position(array['info','warn','critical'], last.level) then 'escalated'
                else 'updated' end as change
      from hotspots h
      left join lateral (select a.kind, a.level, a.created_at, a.acknowledged_at from alerts a
                          where a.hotspot_id = h.id order by a.id desc limit 1) last on true
     where (h.status = 'open' and last.kind is not null and last.kind <> 'resolved'
            and (last.created_at <= $1 and last.acknowledged_at is null
                 or array_position(array['info','warn','critical'], h.severity)
                    > array_position(array['info','warn','critical'], last.level)))
        or (h.status = 'resolved' and h.resolved_at > $3 and last.kind is not null and last.kind <> 'resolved')
        or (h.status = 'open' and last.kind is null and h.severity = any($2))
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

  /** GET /alerts: $1 levels, $2 kind, $3 entity_type, $4 entity, $5 hotspot id, $6 since, $7 limit. */
  static final String LIST_ALERTS = """
    select id, level, message, hotspot_id, created_at, kind, entity_type, entity, percent_above, acknowledged_at
      from alerts
     where ($1::text[] is null or level = any($1))
       and ($2::text is null or kind = $2)
       and ($3::text is null or entity_type = $3)
       and ($4::text is null or entity = $4)
       and ($5::bigint is null or hotspot_id = $5)
       and ($6::timestamptz is null or created_at >= $6)
     order by created_at desc, id desc
     limit $7
    """;

  static final String INSERT_SILENCE = """
    insert into silences (entity_type, entity, until, reason, created_by) values ($1, $2, $3, $4, $5) returning id
    """;

  private AlertingSql() {
  }
}
