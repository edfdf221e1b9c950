/*
 * The URL hash holds the view: #type=supplier&entity=Acme&range=28d. Reading and writing it, and
 * the links to an entity's page (only the hash changes; the hash decides what is shown, so a
 * shared URL opens the same page).
 */
import { el } from './dom.js';
import { TYPE_LABELS, entityName } from './format.js';
import { state } from './state.js';

/** The ranges of the switch: the bucket step keeps each chart at 96 to 672 points. */
export const RANGES = {
  '24h': { step: '15m', stepLabel: '15 min', ms: 86400000 },
  '7d': { step: '1h', stepLabel: 'hour', ms: 7 * 86400000 },
  '28d': { step: '1h', stepLabel: 'hour', ms: 28 * 86400000 }
};
const DEFAULT_RANGE = '7d';

/** The selection and range from the URL hash into the state. */
export function readHash() {
  const q = new URLSearchParams(location.hash.replace(/^#/, ''));
  const type = q.get('type');
  const entity = q.get('entity');
  state.view = type && entity && TYPE_LABELS[type] ? { type: type, entity: entity } : null;
  const range = q.get('range');
  state.range = RANGES[range] ? range : DEFAULT_RANGE;
}

/** The state's selection and range into the URL hash, without a new history entry. */
export function writeHash() {
  const hash = hashQuery(state.view).toString();
  if (location.hash.replace(/^#/, '') !== hash) history.replaceState(null, '', hash ? '#' + hash : location.pathname + location.search);
}

function hashQuery(view) {
  const q = new URLSearchParams();
  if (view) {
    q.set('type', view.type);
    q.set('entity', view.entity);
  }
  if (state.range !== DEFAULT_RANGE) q.set('range', state.range);
  return q;
}

/** The hash of an entity's page, at the range shown now. */
export function entityHash(type, entity) {
  return '#' + hashQuery({ type: type, entity: entity }).toString();
}

/** A link to an entity's page. */
export function entityLink(type, entity, cls) {
  return el('a', { 'class': 'entity-link' + (cls ? ' ' + cls : ''), href: entityHash(type, entity),
    title: entityName(type, entity) + ' (' + (TYPE_LABELS[type] || type) + '): history, hotspots, alerts, recommendations',
    'data-entity': entity, 'data-entity-type': type, text: entityName(type, entity) });
}

/** The query parameters that select the view's entity ('' for every shipment). */
export function viewQuery() {
  return state.view ? 'entity_type=' + encodeURIComponent(state.view.type) + '&entity=' + encodeURIComponent(state.view.entity) : '';
}
