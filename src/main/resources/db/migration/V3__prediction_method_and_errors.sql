-- How each prediction was made (tonne_km, load_factor, ml), so a number can be explained.
alter table predictions add column method text;

-- Events no model could predict (missing numbers, unknown vehicle type), once each, with the
-- reason: skipped rows are counted and can be listed, never silently zero.
create table prediction_errors (
  event_id   bigint      primary key,
  reason     text        not null,
  created_at timestamptz not null default now()
);
