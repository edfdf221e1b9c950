package io.carbonnexus.engine.notify;

/**
 * The notify verticle's queries. It owns {@code notification_outbox} (alerting writes it with
 * each alert) and {@code notifications}; it reads {@code alerts}, {@code hotspots} and
 * {@code recommendations}, which other concerns write.
 */
final class NotifySql {

  /**
   * New alerts with what a message says about their hotspot. Locked and skipped by other nodes'
   * passes, so each alert is routed by exactly one node. $1 batch size.
   */
  static final String TAKE_OUTBOX = """
    select a.id, a.hotspot_id, a.level, a.kind, a.message, a.entity_type, a.entity, a.percent_above, a.created_at,
           h.opened_at, h.resolved_at, h."window", h.kind as hotspot_kind
      from notification_outbox o
      join alerts a on a.id = o.alert_id
      join hotspots h on h.id = a.hotspot_id
     order by o.alert_id
     limit $1
       for update of o skip locked
    """;

  static final String DELETE_OUTBOX = "delete from notification_outbox where alert_id = any($1)";

  /** When the group last sent a message: its next one waits for group_interval. $1 receiver, $2 group key. */
  static final String GROUP_LAST_SENT = """
    select max(sent_at) from notifications where receiver = $1 and group_key = $2 and status = 'sent'
    """;

  /**
   * The alert joins its group's message while that message still gathers (pending, never tried),
   * or starts a new one. $1 notification id (kept by an existing row), $2 receiver, $3 kind,
   * $4 route, $5 group key, $6 group labels, $7 the alert, $8 its id, $9 now, $10 due.
   */
  static final String ADD_TO_GROUP = """
    insert into notifications (notification_id, receiver, receiver_kind, route, group_key, group_labels, alerts, alert_ids,
                               created_at, due_at, first_due_at, updated_at)
    values ($1, $2, $3, $4, $5, $6, jsonb_build_array($7::jsonb), array[$8::bigint], $9, $10, $10, $9)
    on conflict (receiver, group_key) where status = 'pending' and attempts = 0
    do update set alerts = notifications.alerts || excluded.alerts,
                  alert_ids = notifications.alert_ids || excluded.alert_ids,
                  updated_at = excluded.updated_at
    """;

  /**
   * Due messages, each claimed by one node: the attempt is counted (the message stops gathering)
   * and due_at moves to the end of the lease, so a node that dies while sending leaves the message
   * to another once the lease is over. $1 now, $2 lease end, $3 batch size.
   */
  static final String CLAIM_DUE = """
    update notifications n set attempts = n.attempts + 1, due_at = $2, updated_at = $1
     where n.id in (select id from notifications
                     where status = 'pending' and due_at <= $1
                     order by due_at, id
                     limit $3
                       for update skip locked)
    returning n.id, n.notification_id, n.receiver, n.receiver_kind, n.route, n.group_key, n.group_labels, n.alerts,
              n.attempts, n.first_due_at
    """;

  /** A test message, claimed by the node that sends it at once. */
  static final String INSERT_TEST = """
    insert into notifications (notification_id, receiver, receiver_kind, route, group_key, group_labels, alerts, alert_ids,
                               attempts, created_at, due_at, first_due_at, updated_at)
    values ($1, $2, $3, 'test', $4, '{}'::jsonb, jsonb_build_array($5::jsonb), '{}', 1, $6, $7, $6, $6)
    returning id, notification_id, receiver, receiver_kind, route, group_key, group_labels, alerts, attempts, first_due_at
    """;

  static final String RECORD_SENT = """
    update notifications set status = 'sent', sent_at = $2, last_status = $3, last_error = null, updated_at = $2
     where id = $1
    """;

  /** $1 id, $2 now, $3 next due, $4 error, $5 HTTP status or null. */
  static final String RECORD_RETRY = """
    update notifications set due_at = $3, last_error = $4, last_status = $5, updated_at = $2 where id = $1
    """;

  static final String RECORD_FAILED = """
    update notifications set status = 'failed', last_error = $3, last_status = $4, updated_at = $2 where id = $1
    """;

  /** The best action of each hotspot's latest recommendation. $1 hotspot ids. */
  static final String TOP_ACTIONS = """
    select distinct on (hotspot_id) hotspot_id, actions -> 0 ->> 'title' as title
      from recommendations
     where hotspot_id = any($1) and jsonb_array_length(actions) > 0
     order by hotspot_id, created_at desc, id desc
    """;

  /** GET /notifications: $1 status, $2 receiver, $3 alert id, $4 since, $5 limit. */
  static final String LIST = """
    select id, notification_id, receiver, receiver_kind, route, group_key, group_labels, alert_ids, status, attempts,
           last_error, last_status, created_at, due_at, sent_at, updated_at, jsonb_array_length(alerts) as alert_count
      from notifications
     where ($1::text is null or status = $1)
       and ($2::text is null or receiver = $2)
       and ($3::bigint is null or alert_ids @> array[$3::bigint])
       and ($4::timestamptz is null or created_at >= $4)
     order by created_at desc, id desc
     limit $5
    """;

  static final String BY_ID = """
    select id, notification_id, receiver, receiver_kind, route, group_key, group_labels, alert_ids, status, attempts,
           last_error, last_status, created_at, due_at, sent_at, updated_at, jsonb_array_length(alerts) as alert_count
      from notifications where id = $1
    """;

  /** Alerts still firing: the latest alert of each open hotspot, unless it is a resolution. */
  static final String FIRING = """
    select a.id, a.hotspot_id, a.level, a.kind, a.message, a.entity_type, a.entity, a.percent_above, a.created_at,
           h.opened_at, h.resolved_at, h."window", h.kind as hotspot_kind
      from hotspots h
      join lateral (select * from alerts x where x.hotspot_id = h.id order by x.id desc limit 1) a on true
     where h.status = 'open' and a.kind <> 'resolved'
    """;

  private NotifySql() {
  }
}
