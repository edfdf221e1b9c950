/*
 * The page's state: what it knows of the engine (from REST, then the channels), which view it
 * shows, and the rules that merge a newer item over an older one. Every module reads and
 * writes this one object; only the renderers turn it into DOM.
 */
import { millis } from './format.js';

export const SEVERITY_RANK = { critical: 3, warn: 2, info: 1 };
export const MAX_ALERTS = 50;
export const MAX_RECOMMENDATIONS = 20;

/** The selected entity's lists, resolved hotspots included. */
export function emptyEntity() {
  return { hotspots: new Map(), alerts: [], recommendations: [] };
}

export const state = {
  snapshot: null,
  hotspots: new Map(),     // id -> Hotspot, open ones only
  alerts: [],              // newest first
  deliveries: new Map(),   // alert id -> where its notifications went ({receiver, status, attempts, last_error})
  recommendations: [],     // newest first
  chartType: 'supplier',
  chartScale: 'percent',
  loaded: false,           // the REST state is in
  loading: false,
  pending: [],             // live messages that arrived while the REST state was loading
  fresh: new Set(),        // keys of items that just changed live, highlighted once
  shown: false,            // the dashboard has data worth showing behind a sign-in prompt
  view: null,              // the selected entity {type, entity}, or null for every shipment (from the URL hash)
  range: '7d',             // the history's range: 24h, 7d or 28d (from the URL hash)
  history: null,           // the last GET /emissions/history answer for the view
  periods: [],             // hotspot periods [from ms, to ms, severity] within the history's range
  entity: emptyEntity(),   // the selected entity's lists, resolved ones too
  viewGeneration: 0        // bumped when the view changes: answers for an older view are dropped
};

export function upsertNewestFirst(list, item, max) {
  const i = list.findIndex(function (x) { return x.id === item.id; });
  if (i >= 0) list[i] = item;
  else list.push(item);
  list.sort(function (a, b) { return millis(b.created_at) - millis(a.created_at) || b.id - a.id; });
  if (list.length > max) list.length = max;
}

/** A hotspot from the channel or REST: the later change wins; resolved ones leave the open set. */
export function applyHotspot(h) {
  if (!h || h.id === undefined) return;
  const current = state.hotspots.get(h.id);
  if (current && millis(h.updated_at) < millis(current.updated_at)) return;
  if (h.status === 'resolved' || h.change === 'resolved') state.hotspots.delete(h.id);
  else state.hotspots.set(h.id, h);
}

/** Whether a hotspot is open now, as far as the page knows. */
export function hotspotOpen(id) {
  if (state.hotspots.has(id)) return true;
  const h = state.entity.hotspots.get(id);
  return !!h && h.status !== 'resolved';
}

/** Whether an item (hotspot, alert, recommendation) is of the entity whose page is shown. */
export function isViewed(item) {
  return !!state.view && !!item && item.entity_type === state.view.type && item.entity === state.view.entity;
}
