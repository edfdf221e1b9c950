/*
 * Where an alert's notifications went: the delivery log (GET /notifications) by alert, and the
 * chips under an alert, one per receiver ("webhook · sent").
 */
import { getJson } from './api.js';
import { el } from './dom.js';

/**
 * The delivery log's recent entries as a Map from alert id to its deliveries. An engine without
 * the log, or a reader without access to it, rejects: the caller then shows no deliveries.
 */
export function fetchDeliveries() {
  return getJson('/notifications?limit=500').then(function (entries) {
    const byAlert = new Map();
    entries.slice().reverse().forEach(function (n) {
      (n.alert_ids || []).forEach(function (id) {
        // The latest message per receiver wins: a resolution's message follows the firing one.
        const list = (byAlert.get(id) || []).filter(function (d) { return d.receiver !== n.receiver; });
        list.push({ receiver: n.receiver, status: n.status, attempts: n.attempts, last_error: n.last_error });
        byAlert.set(id, list);
      });
    });
    return byAlert;
  });
}

/** One alert's deliveries as a line of chips; null when none are known. */
export function deliveryLine(list) {
  if (!list || !list.length) return null;
  const chips = list.map(function (d) {
    const label = d.status === 'sent' ? 'sent' : d.status === 'failed' ? 'failed' : 'pending';
    const title = d.receiver + ': ' + label + ' after ' + d.attempts + (d.attempts === 1 ? ' attempt' : ' attempts')
      + (d.last_error ? ' (' + d.last_error + ')' : '');
    return el('span', { 'class': 'delivery delivery-' + label, title: title, text: d.receiver + ' · ' + label });
  });
  return el('p', { 'class': 'alert-deliveries', 'aria-label': 'Delivered to' }, chips);
}
