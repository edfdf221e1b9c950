-- A recommendation request carries what the hotspot measured, not only its numbers: the window
-- that fired, its kind (emissions in kg, or intensity in kg per tonne-km), for a route read
-- through one supplier's lane that supplier, and when it was measured (the hotspot's updated_at).
-- rag-chatbot receives them as context, and the built-in rules read the shipments of that window
-- ending then (and of that lane) — not a day of the whole route ending whenever they answer,
-- which may be ten minutes later for a rag-chatbot that stays down, or hours after a restart.
alter table recommendation_requests
  add column "window" text,
  add column kind text not null default 'emissions',
  add column lane_supplier text,
  add column measured_at timestamptz;

-- Requests queued before: what their hotspot says now (the same measurement unless it changed since).
update recommendation_requests r
   set "window" = h."window", kind = h.kind, lane_supplier = h.lane_supplier, measured_at = h.updated_at
  from hotspots h
 where h.id = r.hotspot_id;
