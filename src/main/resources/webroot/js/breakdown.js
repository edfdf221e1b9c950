/*
 * An entity's page only: what its CO2e over the range is made of — the facts (CO2e, shipments,
 * tonne-km, intensity, busiest bucket) and its share per route, supplier or vehicle type.
 */
import { $, el, setText } from './dom.js';
import { TYPE_LABELS, co2, fixed, intFormat, when } from './format.js';
import { historyColumns } from './history.js';
import { RANGES, entityLink } from './router.js';
import { state } from './state.js';

/** h: the entity's history answer, null while it loads. */
export function renderBreakdown(h) {
  const host = $('breakdown');
  host.replaceChildren();
  if (!state.view) return;
  if (!h) {
    host.appendChild(el('p', { 'class': 'empty', text: 'Loading…' }));
    return;
  }
  const data = historyColumns(h);
  let total = 0, events = 0, tkm = 0;
  (h.buckets || []).forEach(function (b) { total += b.co2_kg; events += b.events; tkm += b.tonne_km; });
  let peak = null;
  data[1].forEach(function (v, i) { if (peak === null || v > data[1][peak]) peak = i; });
  setText('breakdown-range', 'last ' + state.range);
  const facts = [
    ['CO₂e', co2(total)],
    ['Shipments', intFormat.format(events)],
    ['Tonne-km', intFormat.format(Math.round(tkm))],
    ['Intensity', tkm > 0 ? fixed(total / tkm, 4) + ' kg/t·km' : '–'],
    ['Busiest ' + RANGES[state.range].stepLabel, peak === null ? '–' : co2(data[1][peak]) + ' at ' + when(new Date(data[0][peak] * 1000).toISOString())]
  ];
  host.appendChild(el('dl', { 'class': 'facts' }, facts.map(function (f) {
    return el('div', null, [el('dt', { text: f[0] }), el('dd', { text: f[1] })]);
  })));
  (state.entity.breakdown || []).forEach(function (b) {
    host.appendChild(breakdownList(b.group, b.report, h.basis));
  });
}

/** One column's share of the entity's CO2e over the range, largest first, from the emissions report. */
function breakdownList(group, report, basis) {
  const sums = new Map();
  (report.rows || []).forEach(function (row) {
    // The figure on the engine's basis; a tank-to-wheel-only prediction has no well-to-wheel figure.
    const kg = basis === 'ttw' ? row.co2e_ttw_kg : (row.co2e_wtw_kg === null ? row.co2e_ttw_kg : row.co2e_wtw_kg);
    sums.set(row.entity, (sums.get(row.entity) || 0) + (kg || 0));
  });
  const list = Array.from(sums.entries()).sort(function (a, b) { return b[1] - a[1]; });
  const total = list.reduce(function (a, e) { return a + e[1]; }, 0);
  const shown = list.slice(0, 8);
  const section = el('section', { 'class': 'split', 'data-group': group }, [
    el('h3', { text: 'By ' + TYPE_LABELS[group] + (list.length > shown.length ? ' (top ' + shown.length + ' of ' + list.length + ')' : '') })
  ]);
  if (shown.length === 0) {
    section.appendChild(el('p', { 'class': 'hint', text: 'Nothing in this range.' }));
    return section;
  }
  section.appendChild(el('ol', { 'class': 'split-list' }, shown.map(function (e) {
    const share = total > 0 ? e[1] / total * 100 : 0;
    return el('li', null, [
      entityLink(group, e[0], 'split-name'),
      el('span', { 'class': 'split-bar', 'aria-hidden': 'true' }, el('span', { style: 'width:' + share.toFixed(1) + '%' })),
      el('span', { 'class': 'split-value', text: co2(e[1]) + ' · ' + intFormat.format(share) + ' %' })
    ]);
  })));
  return section;
}
