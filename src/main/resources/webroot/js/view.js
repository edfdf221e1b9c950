/*
 * The view the hash selects — the overview or an entity's page — and its data: which panels
 * show, the history and hotspot periods of the range, and on an entity's page its own hotspots,
 * alerts, recommendations and breakdown. Answers for an older view or session are dropped.
 */
import { renderAlerts } from './alerts.js';
import { getJson } from './api.js';
import { auth } from './auth.js';
import { renderBreakdown } from './breakdown.js';
import { $, pressOnly, setText } from './dom.js';
import { TYPE_LABELS, entityName, millis } from './format.js';
import { renderHistory } from './history.js';
import { renderHotspots } from './hotspots.js';
import { renderRecommendations } from './recommendations.js';
import { RANGES, viewQuery } from './router.js';
import { MAX_ALERTS, MAX_RECOMMENDATIONS, emptyEntity, state, upsertNewestFirst } from './state.js';

/** The view's history follows live updates, at most this often. */
const HISTORY_REFRESH_MS = 10000;
const historyRefresh = { timer: null, last: 0 };

/** Shows the overview or an entity's page, as the state says, and loads what it needs. */
export function showView() {
  const v = state.view;
  document.body.dataset.view = v ? 'entity' : 'overview';
  $('entity-head').hidden = !v;
  $('overview-kpis').hidden = !!v;
  $('bars-panel').hidden = !!v;
  $('breakdown-panel').hidden = !v;
  if (v) {
    setText('entity-type', TYPE_LABELS[v.type]);
    setText('entity-name', entityName(v.type, v.entity));
    document.title = entityName(v.type, v.entity) + ' · Carbon Nexus';
  } else {
    document.title = 'Carbon Nexus';
  }
  setText('history-subject', v ? entityName(v.type, v.entity) : 'all shipments');
  pressOnly('history-ranges', 'range', state.range);
  setText('history-step', RANGES[state.range].stepLabel);
  state.viewGeneration++;
  state.history = null;
  state.periods = [];
  state.entity = emptyEntity();
  delete document.body.dataset.historyReady;
  renderHistory();
  renderHotspots();
  renderAlerts();
  renderRecommendations();
  renderBreakdown(null);
  // Before the first REST load, that load fetches the view when it is done.
  if (state.loaded) loadView();
}

/** The history of the view, its hotspot periods and, on an entity's page, its own lists. */
export function loadView() {
  const generation = state.viewGeneration;
  const authGeneration = auth.generation;
  const range = RANGES[state.range];
  const now = Date.now();
  const from = new Date(now - range.ms).toISOString();
  const sel = viewQuery();
  const requests = [
    getJson('/emissions/history?' + (sel ? sel + '&' : '') + 'step=' + range.step + '&from=' + encodeURIComponent(from)),
    // Hotspots changed within the range, resolved ones included: the periods to mark.
    getJson('/hotspots?' + (sel ? sel + '&' : '') + 'since=' + encodeURIComponent(from) + '&limit=500')
  ];
  const others = state.view ? Object.keys(TYPE_LABELS).filter(function (t) { return t !== state.view.type; }) : [];
  if (state.view) {
    requests.push(getJson('/alerts?' + sel + '&limit=' + MAX_ALERTS));
    requests.push(getJson('/recommendations?' + sel + '&limit=' + MAX_RECOMMENDATIONS));
    // The breakdown: the emissions report of this entity, grouped by each other column.
    others.forEach(function (group) {
      requests.push(getJson('/reports/emissions?group=' + group + '&period=month&' + sel + '&from='
        + encodeURIComponent(from) + '&to=' + encodeURIComponent(new Date(now + 60000).toISOString())));
    });
  }
  historyRefresh.last = now;
  return Promise.all(requests).then(function (r) {
    if (generation !== state.viewGeneration || authGeneration !== auth.generation) return;
    state.history = r[0];
    state.periods = r[1].map(function (h) {
      return [millis(h.opened_at), h.status === 'resolved' && h.resolved_at ? millis(h.resolved_at) : now, h.severity];
    });
    if (state.view) {
      const hotspots = new Map();
      r[1].forEach(function (h) { hotspots.set(h.id, h); });
      state.entity.hotspots = hotspots;
      state.entity.alerts = [];
      r[2].forEach(function (a) { upsertNewestFirst(state.entity.alerts, a, MAX_ALERTS); });
      state.entity.recommendations = [];
      r[3].forEach(function (x) { upsertNewestFirst(state.entity.recommendations, x, MAX_RECOMMENDATIONS); });
      renderHotspots();
      renderAlerts();
      renderRecommendations();
      state.entity.breakdown = others.map(function (group, i) { return { group: group, report: r[4 + i] }; });
      renderBreakdown(state.history);
    }
    renderHistory();
    document.body.dataset.historyReady = 'true';
  }).catch(function (err) {
    if (generation !== state.viewGeneration || err.status === 401) return;
    console.warn('Carbon Nexus: loading the history failed:', err.message);
    setText('history-note', 'Could not load the history (' + err.message + ').');
  });
}

/** New emissions: the view's history follows, at most every HISTORY_REFRESH_MS. */
export function refreshHistorySoon() {
  if (historyRefresh.timer) return;
  const wait = Math.max(0, historyRefresh.last + HISTORY_REFRESH_MS - Date.now());
  historyRefresh.timer = setTimeout(function () {
    historyRefresh.timer = null;
    if (state.loaded) loadView();
  }, wait);
}
