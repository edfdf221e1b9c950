/*
 * How the page writes numbers, amounts, times and names: kg or t by one rule, percentages of
 * the baseline, vehicle types by their human names. Pure: no DOM, no state.
 */

export const TYPE_LABELS = { supplier: 'supplier', route: 'route', vehicle_type: 'vehicle type' };
export const TYPE_PLURALS = { supplier: 'suppliers', route: 'routes', vehicle_type: 'vehicle types' };

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const dayFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
export const intFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

export function fixed(n, digits) {
  return new Intl.NumberFormat(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
}

/** kg CO2 in the unit a person reads at a glance: kg below a tonne, t above. */
export function co2(kg) {
  if (kg === null || kg === undefined || !isFinite(kg)) return '–';
  const abs = Math.abs(kg);
  if (abs < 1000) return intFormat.format(kg) + ' kg';
  const t = kg / 1000;
  if (abs < 10000) return fixed(t, 2) + ' t';
  if (abs < 1000000) return fixed(t, 1) + ' t';
  return intFormat.format(t) + ' t';
}

export function co2Exact(kg) {
  return kg === null || kg === undefined ? 'no baseline' : intFormat.format(kg) + ' kg CO₂';
}

/** Human names of the vehicle types the factor tables know; anything else is shown with spaces for underscores. */
const VEHICLE_NAMES = {
  hgv_diesel: 'HGV, diesel',
  hgv_rigid_diesel: 'Rigid HGV, diesel',
  hgv_articulated_diesel: 'Articulated HGV, diesel',
  truck_electric: 'Electric truck',
  van_diesel: 'Van, diesel',
  van_electric: 'Electric van',
  air_short_haul: 'Air freight, short haul',
  air: 'Air freight',
  rail: 'Rail freight',
  ship: 'Container ship'
};

/**
 * Server-written sentences (a recommendation's root cause and actions) in the page's terms:
 * percentages of the baseline, amounts of kg by the one unit rule, vehicle types by their human
 * names. The original stays in the element's title.
 */
export function humanize(text) {
  return String(text)
    // The page's one percentage: of the baseline.
    .replace(/\b(\d+)% (above|below) its baseline\b/g, function (m, n, side) {
      return intFormat.format(Math.max(0, 100 + (side === 'above' ? 1 : -1) * Number(n))) + ' % of its baseline';
    })
    .replace(/\b(\d+(?:\.\d+)?) kg CO2\b/g, function (m, n) { return co2(Number(n)) + ' CO₂'; })
    .replace(/\b(\d+(?:\.\d+)?) kg\b(?![/ ]*(?:per|km|t·km))/g, function (m, n) { return co2(Number(n)); })
    .replace(/\b[a-z]+(?:_[a-z0-9]+)+\b/g, function (key) { return VEHICLE_NAMES[key] || key; });
}

/** How an entity is named on the page: vehicle types by their human name, the others as they are. */
export function entityName(type, entity) {
  if (type !== 'vehicle_type') return String(entity);
  return VEHICLE_NAMES[entity] || String(entity).replace(/_/g, ' ');
}

/** The page's one convention: a percentage is of the baseline (100 % = at the baseline). */
export function ofBaseline(percentAbove) {
  if (percentAbove === null || percentAbove === undefined) return '–';
  return intFormat.format(Math.max(0, 100 + percentAbove)) + ' %';
}

export function duration(seconds) {
  if (!seconds) return '–';
  if (seconds % 86400 === 0) return seconds / 86400 === 1 ? '24 h' : seconds / 86400 + ' d';
  if (seconds % 3600 === 0) return seconds / 3600 + ' h';
  if (seconds % 60 === 0) return seconds / 60 + ' min';
  return seconds + ' s';
}

export function when(iso) {
  const d = new Date(iso);
  if (isNaN(d)) return '–';
  const today = new Date();
  const sameDay = d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth()
    && d.getDate() === today.getDate();
  return sameDay ? timeFormat.format(d) : dayFormat.format(d) + ' ' + timeFormat.format(d);
}

export function millis(iso) {
  const t = Date.parse(iso);
  return isNaN(t) ? 0 : t;
}

/** The level a percentage of baseline falls in, with the engine's default thresholds (0.8, 1.0, 1.5). */
export function level(percentOfBaseline) {
  if (percentOfBaseline === null || percentOfBaseline === undefined) return 'none';
  if (percentOfBaseline >= 150) return 'critical';
  if (percentOfBaseline >= 100) return 'warn';
  if (percentOfBaseline >= 80) return 'info';
  return 'ok';
}
