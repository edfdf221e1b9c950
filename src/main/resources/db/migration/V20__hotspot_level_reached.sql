-- When an open hotspot's readings last reached its level: the hotspot keeps that level for
-- thresholds.hold after it (docs/architecture.md, "the hotspot policy"), so that a count hovering
-- at an edge does not open, drop and re-open an alert every few minutes. Null for a resolved
-- hotspot, or one stored before this column: nothing is held.
alter table hotspots add column level_reached_at timestamptz;
