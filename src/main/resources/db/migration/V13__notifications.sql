-- Alerts waiting to be routed to receivers. Written by alerting in the same transaction as the
-- alert (so an alert is never stored without it, nor routed twice); read and emptied by notify.
create table notification_outbox (
  alert_id   bigint      primary key references alerts (id),
  created_at timestamptz not null default now()
);

-- One message to one receiver: a group of alerts (Alertmanager's grouping), then its delivery.
-- Written and read by notify only; GET /notifications lists it.
--   status pending: not sent yet. While attempts = 0 it still gathers alerts of its group (one
--     such row per receiver and group: the partial unique index). While being sent its
--     due_at is pushed past the lease of the node sending it, so a node that dies mid-send leaves it
--     to another once the lease has passed.
--   status sent / failed: final.
create table notifications (
  id              bigserial   primary key,
  notification_id text        not null unique,
  receiver        text        not null,
  receiver_kind   text        not null,
  route           text        not null,
  group_key       text        not null,
  group_labels    jsonb       not null default '{}'::jsonb,
  alerts          jsonb       not null default '[]'::jsonb,
  alert_ids       bigint[]    not null default '{}',
  status          text        not null default 'pending' check (status in ('pending', 'sent', 'failed')),
  attempts        integer     not null default 0,
  last_error      text,
  last_status     integer,
  created_at      timestamptz not null,
  due_at          timestamptz not null,
  first_due_at    timestamptz not null,
  sent_at         timestamptz,
  updated_at      timestamptz not null
);
create unique index notifications_gathering on notifications (receiver, group_key) where status = 'pending' and attempts = 0;
create index notifications_due on notifications (due_at) where status = 'pending';
create index notifications_group_last on notifications (receiver, group_key, sent_at desc);
create index notifications_created_at on notifications (created_at desc, id desc);
create index notifications_alert_ids on notifications using gin (alert_ids);
