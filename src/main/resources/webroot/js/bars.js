/*
 * The overview's bar chart: the top entities of one type against their baselines, as a
 * percentage of each one's own baseline or in kg on one scale. Drawn as SVG at the width it is
 * shown at; each row links to the entity's page.
 */
import { $, el, pressOnly, setText, svg } from './dom.js';
import { TYPE_PLURALS, co2, co2Exact, entityName, intFormat, level } from './format.js';
import { entityHash } from './router.js';
import { state } from './state.js';

export function renderChart() {
  const host = $('chart');
  const type = state.chartType;
  setText('chart-type-label', TYPE_PLURALS[type]);
  pressOnly('chart-types', 'type', type);
  pressOnly('chart-scales', 'scale', state.chartScale);
  host.replaceChildren();
  const byType = state.snapshot && state.snapshot.by_entity_type && state.snapshot.by_entity_type[type];
  const top = (byType && byType.top) || [];
  if (top.length === 0) {
    host.appendChild(el('p', { 'class': 'empty', text: state.snapshot ? 'No ' + TYPE_PLURALS[type]
      + ' with emissions in the window yet.' : 'Waiting for the first snapshot…' }));
    return;
  }
  host.appendChild(chartSvg(top, state.chartScale === 'kg' ? kgScale(top) : percentScale(top)));
}

/** Each bar as a percentage of its own baseline: every baseline sits on the same 100 % line. */
function percentScale(top) {
  let max = 0;
  top.forEach(function (e) {
    if (e.percent_of_baseline !== null && e.percent_of_baseline !== undefined) max = Math.max(max, e.percent_of_baseline);
  });
  // Room past the longest bar, in steps of 50 %, at least up to 150 % (critical), at most 400 %.
  max = Math.min(Math.ceil(Math.max(150, max + 5) / 50) * 50, 400);
  const step = max > 200 ? 100 : 50;
  const ticks = [];
  for (let v = 0; v <= max; v += step) ticks.push({ value: v, label: v + ' %' });
  return {
    max: max,
    ticks: ticks,
    bar: function (e) { return e.percent_of_baseline === null || e.percent_of_baseline === undefined ? null : e.percent_of_baseline; },
    marker: function (e) { return e.baseline === null || e.baseline === undefined ? null : 100; }
  };
}

/** Predicted and baseline in kg on one scale, so that sizes compare across entities. */
function kgScale(top) {
  let max = 0;
  top.forEach(function (e) { max = Math.max(max, e.predicted || 0, e.baseline || 0); });
  const step = niceStep(max / 4);
  max = Math.max(step, Math.ceil(max / step) * step);
  const ticks = [];
  for (let v = 0; v <= max + step / 2; v += step) ticks.push({ value: v, label: co2(v) });
  return {
    max: max,
    ticks: ticks,
    bar: function (e) { return e.predicted; },
    marker: function (e) { return e.baseline === null || e.baseline === undefined ? null : e.baseline; }
  };
}

function niceStep(raw) {
  if (!(raw > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

let measureContext = null;

/** The text cut to fit width px in the chart's font, with an ellipsis when cut. */
function fit(text, width) {
  if (!measureContext) {
    measureContext = document.createElement('canvas').getContext('2d');
    measureContext.font = '12px ' + getComputedStyle(document.body).fontFamily;
  }
  if (measureContext.measureText(text).width <= width) return text;
  let lo = 0, hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measureContext.measureText(text.slice(0, mid) + '…').width <= width) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, lo) + '…';
}

function chartSvg(top, scale) {
  const type = state.chartType;
  // Drawn at the width it is shown at: text stays 12 px on a phone instead of shrinking with a viewBox.
  const width = Math.max(300, $('chart').clientWidth || 760);
  const narrow = width < 560;
  const rowH = 30, barH = 16, headH = 22, axisH = 22;
  const labelW = narrow ? Math.round(width * 0.34) : Math.min(190, Math.round(width * 0.24));
  const valueW = narrow ? 48 : 190;
  const x0 = labelW + 12, x1 = width - valueW - 8;
  const plotW = x1 - x0;
  const height = headH + top.length * rowH + axisH;
  const x = function (v) { return x0 + Math.max(0, Math.min(v, scale.max)) / scale.max * plotW; };

  const root = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, width: width, height: height, 'class': 'bars' });

  // Grid and axis.
  const grid = svg('g', { 'class': 'grid' });
  scale.ticks.forEach(function (t) {
    const gx = x(t.value);
    grid.appendChild(svg('line', { x1: gx, x2: gx, y1: headH - 4, y2: height - axisH + 2 }));
    grid.appendChild(svg('text', { x: gx, y: height - 6, 'text-anchor': 'middle', text: t.label }));
  });
  root.appendChild(grid);
  root.appendChild(svg('text', { 'class': 'col-head', x: x1 + valueW, y: 13, 'text-anchor': 'end',
    text: narrow ? '% of baseline' : 'predicted / baseline · % of baseline' }));
  if (state.chartScale === 'percent') {
    const bx = x(100);
    root.appendChild(svg('line', { 'class': 'baseline-line', x1: bx, x2: bx, y1: headH - 4, y2: height - axisH + 2 }));
    root.appendChild(svg('text', { 'class': 'baseline-label', x: bx, y: 13, 'text-anchor': 'middle', text: 'baseline' }));
  }

  top.forEach(function (e, i) {
    const y = headH + i * rowH;
    const cy = y + rowH / 2;
    const lvl = level(e.percent_of_baseline);
    const row = svg('g', { 'class': 'row lvl-' + lvl, 'data-entity': e.entity });
    row.appendChild(svg('title', { text: entityName(type, e.entity) + ': ' + co2Exact(e.predicted) + ' predicted, baseline '
      + co2Exact(e.baseline) + (e.percent_of_baseline === null || e.percent_of_baseline === undefined ? ''
        : ' (' + e.percent_of_baseline + ' % of baseline)') }));
    if (i % 2 === 0) row.appendChild(svg('rect', { 'class': 'stripe', x: 0, y: y, width: width, height: rowH }));
    // The whole row up to the figures opens the entity's page; appended last, so it lies on top.
    const link = svg('a', { href: entityHash(type, e.entity), 'class': 'bar-link', 'data-entity': e.entity,
      'data-entity-type': type });
    link.appendChild(svg('rect', { 'class': 'hit', x: 0, y: y, width: x1, height: rowH }));
    link.appendChild(svg('text', { 'class': 'label', x: labelW, y: cy + 4, 'text-anchor': 'end',
      text: fit(entityName(type, e.entity), labelW - 8) }));
    const value = scale.bar(e);
    if (value === null) {
      row.appendChild(svg('text', { 'class': 'no-baseline', x: x0 + 4, y: cy + 4, text: 'no baseline yet' }));
    } else {
      const w = Math.max(2, x(value) - x0);
      row.appendChild(svg('rect', { 'class': 'bar', x: x0, y: cy - barH / 2, width: w, height: barH, rx: 3 }));
      if (value > scale.max) {
        const ax = x0 + w;
        row.appendChild(svg('path', { 'class': 'overflow', d: 'M' + (ax - 7) + ' ' + (cy - 5) + 'l5 5-5 5' }));
      }
    }
    const marker = scale.marker(e);
    if (marker !== null) {
      const mx = x(marker);
      row.appendChild(svg('line', { 'class': 'marker', x1: mx, x2: mx, y1: cy - barH / 2 - 4, y2: cy + barH / 2 + 4 }));
    }
    const values = svg('text', { 'class': 'values', x: x1 + valueW, y: cy + 4, 'text-anchor': 'end' });
    if (!narrow) {
      values.appendChild(svg('tspan', { 'class': 'v-pred', text: co2(e.predicted) }));
      values.appendChild(svg('tspan', { 'class': 'v-base', text: ' / ' + co2(e.baseline) }));
    }
    values.appendChild(svg('tspan', { 'class': 'v-pct', dx: narrow ? 0 : 8, text: e.percent_of_baseline === null
      || e.percent_of_baseline === undefined ? '–' : intFormat.format(e.percent_of_baseline) + ' %' }));
    row.appendChild(values);
    row.appendChild(link);
    root.appendChild(row);
  });
  return root;
}
