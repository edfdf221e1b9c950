/*
 * Carbon Nexus dashboard, the entry point (loaded from index.html as a module, after the classic
 * scripts of vendor/): wires the page's controls and starts the session. The initial state comes
 * from the REST API, then live from the event-bus bridge (emissions, hotspots, alerts,
 * recommendations carry the same JSON as the REST bodies).
 */
import { renderChart } from './bars.js';
import { $ } from './dom.js';
import { resizeHistory } from './history.js';
import { RANGES, readHash, writeHash } from './router.js';
import { startSession } from './session.js';
import { state } from './state.js';
import { setConnection } from './status.js';
import { showView } from './view.js';

const RESIZE_SETTLE_MS = 150;

$('chart-types').addEventListener('click', function (ev) {
  const b = ev.target.closest('button[data-type]');
  if (!b) return;
  state.chartType = b.dataset.type;
  renderChart();
});
$('chart-scales').addEventListener('click', function (ev) {
  const b = ev.target.closest('button[data-scale]');
  if (!b) return;
  state.chartScale = b.dataset.scale;
  renderChart();
});
$('history-ranges').addEventListener('click', function (ev) {
  const b = ev.target.closest('button[data-range]');
  if (!b || !RANGES[b.dataset.range]) return;
  state.range = b.dataset.range;
  writeHash();
  showView();
});
// Entity links only change the hash; the hash decides what is shown (a shared URL opens the same page).
window.addEventListener('hashchange', function () {
  readHash();
  showView();
  window.scrollTo(0, 0);
});
let resizeTimer = null;
window.addEventListener('resize', function () {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(function () {
    renderChart();
    resizeHistory();
  }, RESIZE_SETTLE_MS);
});

setConnection('connecting');
readHash();
showView();
renderChart();
startSession();
