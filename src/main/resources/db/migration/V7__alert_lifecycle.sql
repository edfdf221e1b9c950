-- Alerts carry their entity so lists can be filtered without a join, and the percent they report.
alter table alerts
  add column entity_type   text,
  add column entity        text,
  add column percent_above integer;
create index alerts_hotspot_latest_idx on alerts (hotspot_id, id desc);

-- An operator's silence on an entity: no notification for it until `until`.
create table silences (
  id          bigserial   primary key,
  entity_type text        not null,
  entity      text        not null,
  until       timestamptz not null,
  reason      text,
  created_by  text,
  created_at  timestamptz not null default now()
);
create index silences_entity_idx on silences (entity_type, entity, until desc);
