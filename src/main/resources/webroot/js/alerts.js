/*
 * The alerts feed, newest first (the entity's own on its page), each with where its
 * notifications went; and when the delivery log is read again.
 */
import { fetchDeliveries, deliveryLine } from './deliveries.js';
import { $, el, flash, severityBadge } from './dom.js';
import { TYPE_LABELS, ofBaseline, when } from './format.js';
import { entityLink } from './router.js';
import { hotspotOpen, state } from './state.js';

/** The delivery log is read again this often, and sooner after an alert (see scheduleDeliveries). */
const DELIVERIES_EVERY_MS = 30000;

export function renderAlerts() {
  const items = (state.view ? state.entity.alerts : state.alerts).map(alertItem);
  $('alerts').replaceChildren.apply($('alerts'), items);
  $('alerts-empty').hidden = items.length > 0;
}

function alertItem(a) {
  const kind = a.kind || 'firing';
  const meta = [];
  if (a.entity_type) meta.push(TYPE_LABELS[a.entity_type] || a.entity_type);
  if (a.percent_above !== null && a.percent_above !== undefined) meta.push(ofBaseline(a.percent_above) + ' of baseline');
  meta.push('hotspot #' + a.hotspot_id);
  if (a.acknowledged_at) meta.push('acknowledged ' + when(a.acknowledged_at));
  // An alert whose hotspot is no longer open belongs to the past, whatever level it fired at.
  const past = kind === 'resolved' || !hotspotOpen(a.hotspot_id);
  const li = el('li', { 'class': 'alert kind-' + kind + ' lvl-' + a.level + (past ? ' is-past' : ''), 'data-alert-id': a.id }, [
    el('div', { 'class': 'alert-head' }, [
      past && kind !== 'resolved' ? el('span', { 'class': 'badge badge-past', text: 'past' }) : severityBadge(a.level),
      a.entity ? entityLink(a.entity_type, a.entity, 'alert-entity') : null,
      el('span', { 'class': 'kind', text: kind }),
      el('time', { datetime: a.created_at, title: a.created_at, text: when(a.created_at) })
    ]),
    el('p', { 'class': 'alert-msg', text: a.message }),
    el('p', { 'class': 'alert-meta', text: meta.join(' · ') }),
    deliveryLine(state.deliveries.get(a.id))
  ]);
  flash(li, 'a' + a.id);
  return li;
}

let deliveriesTimer = null;

/**
 * Reads the delivery log after delayMs, then every DELIVERIES_EVERY_MS. Called with a short delay
 * when an alert arrives: its message leaves after its group's wait.
 */
export function scheduleDeliveries(delayMs) {
  clearTimeout(deliveriesTimer);
  deliveriesTimer = setTimeout(function () {
    fetchDeliveries().then(function (byAlert) {
      state.deliveries = byAlert;
      renderAlerts();
    }).catch(function () { /* no log to show */ });
    scheduleDeliveries(DELIVERIES_EVERY_MS);
  }, delayMs);
}
