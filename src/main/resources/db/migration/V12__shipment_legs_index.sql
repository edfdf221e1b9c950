-- The iLEAP export (GET /footprints/shipments) gathers a shipment's legs by shipment_id; without
-- an index each page would scan the whole events table. Partial: most events have no shipment_id.
create index if not exists events_normalized_shipment_idx on events_normalized (shipment_id)
  where shipment_id is not null;
