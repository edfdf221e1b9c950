-- A recommendation request carries what the hotspot measured, not only its numbers: the window
-- that fired, its kind (emissions in kg, or intensity in kg per tonne-km) and, for a route read
-- through one supplier's lane, that supplier. rag-chatbot receives them as context, and the
-- built-in rules read the shipments of that window (and of that lane) rather than a whole day of
-- the whole route. Null on requests queued before this migration: the rules then read
-- detection.window of the whole entity, as before.
alter table recommendation_requests
  add column "window" text,
  add column kind text,
  add column lane_supplier text;
