/*
 * The overview's figures from the emissions snapshot: the header's window and time, the total
 * card, and per entity type how many are above baseline, the furthest and the largest.
 */
import { renderChart } from './bars.js';
import { $, el, setText } from './dom.js';
import { TYPE_PLURALS, co2, co2Exact, duration, entityName, intFormat, level, when } from './format.js';
import { entityLink } from './router.js';
import { state } from './state.js';

/** Which figure the engine's CO2e is (emissions.basis): ISO 14083 names, as the API gives them. */
const BASIS_LABELS = { wtw: '(well-to-wheel)', ttw: '(tank-to-wheel)' };
const BASIS_TITLES = {
  ttw: 'Tank-to-wheel: the vehicles\' direct emissions',
  wtw: 'Well-to-wheel: tank-to-wheel plus the fuel\'s or electricity\'s upstream (ISO 14083)'
};

/** kg CO2e per tonne-km (the GLEC KPI) and the tonne-km it is over; a dash without tonne-km. */
function intensityText(intensity, tonneKm) {
  if (intensity === null || intensity === undefined) return 'no tonne-km in the window';
  return intensity.toFixed(4) + ' kg CO₂e/t·km · ' + intFormat.format(Math.round(tonneKm || 0)) + ' t·km';
}

export function renderEmissions() {
  const s = state.snapshot;
  if (!s) return;
  setText('window-length', duration(s.window_seconds));
  setText('total-window', '· last ' + duration(s.window_seconds));
  const at = $('snapshot-at');
  at.textContent = when(s.at);
  at.setAttribute('datetime', s.at);
  at.title = s.at;
  setText('total', co2(s.total), co2Exact(s.total));
  setText('basis', BASIS_LABELS[s.basis] || '', BASIS_TITLES[s.basis] || '');
  setText('intensity-total', intensityText(s.intensity_kg_per_tkm, s.tonne_km));
  const types = s.by_entity_type || {};
  let aboveTotal = 0;
  ['supplier', 'route', 'vehicle_type'].forEach(function (type) {
    // The cards compare the snapshot's window with its baseline; hotspots also judge shorter
    // windows (a burst over 30 min), so the hotspot table may hold entities these cards do not.
    setText('window-' + type, '· last ' + duration(s.window_seconds));
    aboveTotal += renderTypeCard(type, types[type] || { total: 0, top: [] }, duration(s.window_seconds));
  });
  setText('total-sub', aboveTotal === 0 ? 'every entity within its baseline'
    : aboveTotal + ' ' + (aboveTotal === 1 ? 'entity' : 'entities') + ' above baseline');
  renderChart();
}

/** One entity type's card; answers how many of its top entities are above baseline. */
function renderTypeCard(type, t, windowText) {
  const top = t.top || [];
  const above = top.filter(function (e) { return e.percent_of_baseline !== null && e.percent_of_baseline > 100; }).length;
  // Every shipment has one supplier, one route and one vehicle type: the three totals are the
  // same figure, so each card says what differs — how many are above baseline, and who.
  const value = $('total-' + type);
  value.textContent = above >= 10 ? '10+' : String(above);
  value.title = above + (above >= 10 ? ' or more ' : ' ') + TYPE_PLURALS[type] + ' above their baseline over the last '
    + windowText + '; hotspots also judge shorter windows (Open hotspots)';
  value.className = 'kpi-value' + (above > 0 ? ' is-above' : '');
  // top is sorted furthest above baseline first: its head is the one to watch.
  const head = top.find(function (e) { return e.percent_of_baseline !== null && e.percent_of_baseline !== undefined; });
  const sub = $('above-' + type);
  sub.className = 'kpi-sub' + (head ? ' lvl-' + level(head.percent_of_baseline) : '');
  sub.replaceChildren();
  if (!head) {
    sub.textContent = top.length === 0 ? 'no ' + TYPE_PLURALS[type] + ' in the window' : 'no baselines yet';
    sub.title = '';
  } else {
    sub.appendChild(el('span', { 'class': 'sub-label', text: 'furthest: ' }));
    sub.appendChild(entityLink(type, head.entity, 'sub-entity'));
    sub.appendChild(el('span', { 'class': 'sub-pct', text: '\u00a0' + intFormat.format(head.percent_of_baseline) + ' %' }));
    sub.title = entityName(type, head.entity) + ': ' + intFormat.format(head.percent_of_baseline) + ' % of baseline';
  }
  const largest = top.reduce(function (m, e) { return !m || (e.predicted || 0) > (m.predicted || 0) ? e : m; }, null);
  const share = $('intensity-' + type);
  share.replaceChildren();
  if (largest && t.total > 0) {
    share.appendChild(el('span', { text: 'largest: ' }));
    share.appendChild(entityLink(type, largest.entity));
    share.appendChild(el('span', { text: ' ' + co2(largest.predicted) + ' · ' + intFormat.format(largest.predicted / t.total * 100)
      + ' % of the total' }));
  } else {
    share.textContent = '\u00a0';
  }
  return above;
}
