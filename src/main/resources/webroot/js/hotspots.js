/*
 * The hotspots: the per-severity counts of the open ones, and the table — on the overview the
 * open hotspots, most severe first; on an entity's page its own, open first, then the resolved
 * ones shown as past.
 */
import { $, el, flash, setText, severityBadge } from './dom.js';
import { TYPE_LABELS, co2, co2Exact, fixed, millis, ofBaseline, when } from './format.js';
import { entityLink } from './router.js';
import { SEVERITY_RANK, state } from './state.js';

function compareHotspots(a, b) {
  return (SEVERITY_RANK[b.severity] || 0) - (SEVERITY_RANK[a.severity] || 0)
    || (b.percent_above || 0) - (a.percent_above || 0)
    || millis(b.updated_at) - millis(a.updated_at)
    || b.id - a.id;
}

/** Open first, then resolved, newest first in each. */
function compareEntityHotspots(a, b) {
  return (a.status === 'resolved') - (b.status === 'resolved') || millis(b.updated_at) - millis(a.updated_at);
}

/** A hotspot's measured figure: kg CO2e, or kg CO2e per tonne-km for an intensity hotspot. */
function hotspotFigure(h, v) {
  if (h.kind === 'intensity') return v === null || v === undefined ? '–' : fixed(v, 4) + ' kg/t·km';
  return co2(v);
}

export function renderHotspots() {
  const open = Array.from(state.hotspots.values()).sort(compareHotspots);
  renderCounts(open);
  const list = state.view ? Array.from(state.entity.hotspots.values()).sort(compareEntityHotspots) : open;
  setText('hotspots-title', state.view ? 'Hotspots of this ' + TYPE_LABELS[state.view.type] : 'Open hotspots');
  setText('hotspots-order', state.view ? 'open first, then resolved' : 'most severe first');
  const body = $('hotspots').tBodies[0];
  body.replaceChildren.apply(body, list.map(hotspotRow));
  setText('hotspots-empty', state.view ? 'No hotspot for this ' + TYPE_LABELS[state.view.type] + ' in the last 28 days.'
    : 'No open hotspots: every entity is within its baseline.');
  $('hotspots-empty').hidden = list.length > 0;
}

function renderCounts(open) {
  const counts = { critical: 0, warn: 0, info: 0 };
  open.forEach(function (h) { if (counts[h.severity] !== undefined) counts[h.severity]++; });
  ['critical', 'warn', 'info'].forEach(function (s) {
    setText('count-' + s, String(counts[s]));
    $('count-' + s).parentNode.classList.toggle('is-zero', counts[s] === 0);
  });
  setText('hotspot-total', String(open.length));
}

/** A route's hotspot read through one supplier's lane names that supplier (its numbers stay the route's). */
function laneNote(h) {
  if (!h.lane_supplier) return null;
  return el('span', { 'class': 'lane-note',
    title: 'judged through ' + h.lane_supplier + '\'s shipments on this route, against their own normal',
    text: 'via ' + h.lane_supplier });
}

function hotspotRow(h) {
  const past = h.status === 'resolved';
  const tr = el('tr', { 'data-hotspot-id': h.id, 'data-entity': h.entity, 'data-severity': h.severity,
    'data-status': h.status, 'class': past ? 'is-past' : 'sev-row-' + h.severity }, [
    el('td', { 'class': 'entity', 'data-label': 'Entity' }, [entityLink(h.entity_type, h.entity), laneNote(h)]),
    el('td', { 'class': 'type', 'data-label': 'Type', text: TYPE_LABELS[h.entity_type] || h.entity_type }),
    el('td', { 'data-label': 'Severity' }, past
      ? el('span', { 'class': 'badge badge-past', title: 'was ' + h.severity + '; resolved ' + (h.resolved_at || h.updated_at),
        text: 'resolved' })
      : severityBadge(h.severity)),
    el('td', { 'class': 'num', 'data-label': 'Predicted', title: co2Exact(h.predicted), text: hotspotFigure(h, h.predicted) }),
    el('td', { 'class': 'num muted', 'data-label': 'Baseline', title: co2Exact(h.baseline), text: hotspotFigure(h, h.baseline) }),
    el('td', { 'class': 'num pct ' + (h.percent_above > 0 ? 'is-above' : 'is-below'), 'data-label': 'Of baseline',
      title: ofBaseline(h.percent_above) + ' of baseline' + (h.window ? ' over ' + h.window : ''), text: ofBaseline(h.percent_above) }),
    el('td', { 'class': 'num muted', 'data-label': past ? 'Resolved' : 'Updated',
      title: 'opened ' + h.opened_at + ', updated ' + h.updated_at, text: when(past ? (h.resolved_at || h.updated_at) : h.updated_at) })
  ]);
  flash(tr, 'h' + h.id);
  return tr;
}
