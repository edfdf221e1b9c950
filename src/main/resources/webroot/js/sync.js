/*
 * Keeping the state in step with the engine: the whole state from REST (again after every
 * reconnect), then each channel message applied on top; messages that arrive during a load wait
 * for it and are applied after it (the later change wins). Retries a failed load; a 401 goes to
 * the session.
 */
import { renderAlerts, scheduleDeliveries } from './alerts.js';
import { getJson } from './api.js';
import { auth } from './auth.js';
import { renderChart } from './bars.js';
import { renderEmissions } from './emissions.js';
import { millis } from './format.js';
import { renderHotspots } from './hotspots.js';
import { renderRecommendations } from './recommendations.js';
import { showBanner } from './status.js';
import { MAX_ALERTS, MAX_RECOMMENDATIONS, applyHotspot, isViewed, state, upsertNewestFirst } from './state.js';
import { loadView, refreshHistorySoon } from './view.js';

const RETRY_MS = 5000;
/** Live messages kept while a load is under way; the oldest go first. */
const MAX_PENDING = 5000;
/** A new alert's notifications leave after the route's group wait (30 s by default): look then. */
const DELIVERIES_AFTER_ALERT_MS = 35000;

let retryTimer = null;
let session = { accepted: function () {}, refused: function () {} };

/** What the session does when a load shows the engine took the token, or refused it (the 401 error). */
export function setSession(hooks) {
  session = hooks;
}

export function load() {
  if (state.loading) return;
  state.loading = true;
  // Live messages wait until the answers are in, then apply on top of them (the later change wins).
  state.loaded = false;
  clearTimeout(retryTimer);
  const generation = auth.generation;
  Promise.all([
    getJson('/emissions/current'),
    getJson('/hotspots?status=open&limit=500'),
    getJson('/alerts?limit=' + MAX_ALERTS),
    getJson('/recommendations?limit=' + MAX_RECOMMENDATIONS)
  ]).then(function (r) {
    if (generation !== auth.generation) return;
    if (!state.snapshot || millis(r[0].at) >= millis(state.snapshot.at)) state.snapshot = r[0];
    const open = new Map();
    r[1].forEach(function (h) { if (h.status !== 'resolved') open.set(h.id, h); });
    state.hotspots = open;
    state.alerts = [];
    r[2].forEach(function (a) { upsertNewestFirst(state.alerts, a, MAX_ALERTS); });
    state.recommendations = [];
    r[3].forEach(function (x) { upsertNewestFirst(state.recommendations, x, MAX_RECOMMENDATIONS); });
    state.loading = false;
    state.loaded = true;
    // What came live during the load is newer than or as new as the answers: apply it on top.
    const pending = state.pending;
    state.pending = [];
    pending.forEach(function (m) { apply(m.address, m.body, false); });
    state.fresh.clear();
    state.shown = true;
    renderAll();
    showBanner(null);
    if (auth.token) session.accepted();
    document.body.dataset.ready = 'true';
    // The view's history and lists too: after a reconnect, whatever changed meanwhile.
    loadView();
    scheduleDeliveries(0);
  }).catch(function (err) {
    if (generation !== auth.generation) return;
    state.loading = false;
    if (err.status === 401) {
      // Not a failure to retry: the engine wants a token, or no longer takes this one.
      session.refused(err);
      return;
    }
    console.warn('Carbon Nexus: loading the state failed, retrying in 5 s:', err.message);
    showBanner('Could not load the current state (' + err.message + '). Retrying…');
    retryTimer = setTimeout(load, RETRY_MS);
  });
}

/** No load under way and none to come: the session ended. */
export function stopLoading() {
  clearTimeout(retryTimer);
  state.loading = false;
}

export function renderAll() {
  renderEmissions();
  if (!state.snapshot) renderChart();
  renderHotspots();
  renderAlerts();
  renderRecommendations();
}

/** One message from a channel; rendered at once unless part of a batch. */
export function apply(address, body, render) {
  if (!body || typeof body !== 'object') return;
  if (!state.loaded) {
    if (state.pending.length >= MAX_PENDING) state.pending.shift();
    state.pending.push({ address: address, body: body });
    return;
  }
  switch (address) {
    case 'emissions':
      if (state.snapshot && millis(body.at) < millis(state.snapshot.at)) return;
      state.snapshot = body;
      if (render) renderEmissions();
      // New emissions: the history (of the total or the entity shown) follows, throttled.
      refreshHistorySoon();
      break;
    case 'hotspots': {
      applyHotspot(body);
      if (isViewed(body)) {
        const known = state.entity.hotspots.get(body.id);
        if (!known || millis(body.updated_at) >= millis(known.updated_at)) state.entity.hotspots.set(body.id, body);
      }
      state.fresh.add('h' + body.id);
      if (render) renderHotspots();
      break;
    }
    case 'alerts':
      upsertNewestFirst(state.alerts, body, MAX_ALERTS);
      scheduleDeliveries(DELIVERIES_AFTER_ALERT_MS);
      if (isViewed(body)) upsertNewestFirst(state.entity.alerts, body, MAX_ALERTS);
      state.fresh.add('a' + body.id);
      if (render) renderAlerts();
      break;
    case 'recommendations':
      upsertNewestFirst(state.recommendations, body, MAX_RECOMMENDATIONS);
      if (isViewed(body)) upsertNewestFirst(state.entity.recommendations, body, MAX_RECOMMENDATIONS);
      state.fresh.add('r' + body.id);
      if (render) renderRecommendations();
      break;
    default:
      return;
  }
  if (render) state.fresh.clear();
}
