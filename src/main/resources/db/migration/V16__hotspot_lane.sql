-- A route's hotspot opened through one of its lanes (V15) names the supplier whose lane it was:
-- the numbers are the route's, the cause is that supplier's shipments on it. Null otherwise.
alter table hotspots add column lane_supplier text;
