/*
 * The history chart (uPlot, the global of vendor/uPlot.iife.min.js): CO2e per bucket of the
 * view's range against the expected line and the band up to the upper edge of normal, with the
 * hotspot periods shaded in the colour of their severity.
 */
import { $, el, setText } from './dom.js';
import { TYPE_LABELS, co2, entityName, millis, when } from './format.js';
import { RANGES } from './router.js';
import { state } from './state.js';

let plot = null;

/** The answer's buckets as uPlot columns: seconds, predicted, expected, upper edge. */
export function historyColumns(h) {
  const xs = [], pred = [], expected = [], upper = [];
  (h.buckets || []).forEach(function (b) {
    // The bucket that holds now is still filling: drawn, it would look like a drop.
    if (b.partial) return;
    xs.push(millis(b.start) / 1000);
    pred.push(b.co2_kg);
    expected.push(b.expected_co2_kg);
    upper.push(b.upper_co2_kg);
  });
  return [xs, pred, expected, upper];
}

export function renderHistory() {
  const host = $('history-chart');
  const h = state.history;
  if (plot) {
    plot.destroy();
    plot = null;
  }
  host.replaceChildren();
  host.removeAttribute('data-points');
  if (!h) {
    host.appendChild(el('p', { 'class': 'empty', text: 'Loading the history…' }));
    return;
  }
  const data = historyColumns(h);
  const points = data[1].filter(function (v) { return v > 0; }).length;
  const hasBand = data[3].some(function (v) { return v !== null && v !== undefined; });
  const hasExpected = data[2].some(function (v) { return v !== null && v !== undefined; });
  setText('history-note', historyNote(h, hasExpected));
  const total = data[1].reduce(function (a, v) { return a + (v || 0); }, 0);
  host.setAttribute('aria-label', 'Predicted CO₂e of ' + (state.view ? entityName(state.view.type, state.view.entity) : 'all shipments')
    + ' over the last ' + state.range + ': ' + co2(total) + ' in all, ' + state.periods.length + ' hotspot period(s) marked');
  if (data[0].length === 0 || typeof uPlot !== 'function') {
    host.appendChild(el('p', { 'class': 'empty', text: typeof uPlot !== 'function' ? 'The chart library did not load.'
      : 'No emissions in this range.' }));
    return;
  }
  host.dataset.points = String(points);
  plot = new uPlot(chartOptions(Math.max(280, host.clientWidth || 760), hasExpected, hasBand, state.periods), data, host);
}

/** What the band and the figures are, under the chart. */
function historyNote(h, hasExpected) {
  const note = [];
  if (h.model && h.model.window) {
    const learnt = h.model.learnt === 'daily'
      ? 'from each day\'s own model, learnt from the weeks before it by detection\'s rule'
      : 'from the model learnt ' + when(h.model.built_at);
    note.push('Band: the upper edge of normal for one ' + RANGES[state.range].stepLabel + ' at ' + h.model.k
      + ' spreads (detection\'s ' + h.model.window + ' window), ' + learnt
      + '; detection judges sliding windows, so a bucket above the band is a hint, the shaded periods are the hotspots.');
  } else if (!state.view && hasExpected) {
    note.push('Expected: the sum of the vehicle types\' models; the total has no upper edge of its own.');
  } else if (state.view) {
    note.push('No model for this ' + TYPE_LABELS[state.view.type] + ' yet (it needs a week of history): no band.');
  }
  note.push('kg CO₂e ' + (h.basis === 'ttw' ? 'tank-to-wheel' : 'well-to-wheel') + ' per bucket; the current one is left out until it ends.');
  return note.join(' ');
}

function chartOptions(width, hasExpected, hasBand, periods) {
  const styles = getComputedStyle(document.documentElement);
  const color = function (name) { return styles.getPropertyValue(name).trim(); };
  const axis = { stroke: color('--muted'), grid: { stroke: color('--line'), width: 1 }, ticks: { stroke: color('--line') },
    font: '12px ' + getComputedStyle(document.body).fontFamily };
  return {
    width: width,
    height: width < 560 ? 220 : 260,
    legend: { show: false },
    cursor: { points: { show: false } },
    scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(1, max * 1.08)]; } } },
    axes: [
      Object.assign({ space: width < 560 ? 70 : 90 }, axis),
      Object.assign({ size: 64, values: function (u, splits) { return splits.map(function (v) { return co2(v); }); } }, axis)
    ],
    series: [
      {},
      { label: 'predicted', stroke: color('--accent'), width: 1.5, fill: 'rgba(52, 211, 153, .08)' },
      { label: 'expected', stroke: color('--muted'), width: 1, dash: [4, 4], show: hasExpected },
      { label: 'upper edge of normal', stroke: 'rgba(56, 189, 248, .55)', width: 1, show: hasBand }
    ],
    bands: hasBand && hasExpected ? [{ series: [3, 2], fill: 'rgba(56, 189, 248, .10)' }] : [],
    hooks: {
      // Hotspot periods under the lines: shaded, in the colour of their severity.
      drawClear: [function (u) {
        const ctx = u.ctx;
        const top = u.bbox.top, height = u.bbox.height;
        ctx.save();
        periods.forEach(function (p) {
          const x0 = u.valToPos(Math.max(p[0] / 1000, u.scales.x.min), 'x', true);
          const x1 = u.valToPos(Math.min(p[1] / 1000, u.scales.x.max), 'x', true);
          if (!(x1 > x0)) return;
          ctx.fillStyle = p[2] === 'critical' ? 'rgba(240, 82, 82, .16)' : p[2] === 'warn' ? 'rgba(245, 165, 36, .14)'
            : 'rgba(56, 189, 248, .08)';
          ctx.fillRect(x0, top, Math.max(2, x1 - x0), height);
        });
        ctx.restore();
      }]
    }
  };
}

/** The chart at the width of its box, after the window was resized. */
export function resizeHistory() {
  if (plot) plot.setSize({ width: Math.max(280, $('history-chart').clientWidth), height: plot.height });
}
