/*
 * The recommendations feed, newest first (the entity's own on its page): root cause and
 * actions in the page's terms, each action with its CO2, cost and feasibility chips.
 */
import { $, el, flash, severityBadge } from './dom.js';
import { co2, humanize, intFormat, when } from './format.js';
import { entityLink } from './router.js';
import { hotspotOpen, state } from './state.js';

/** An action's figure as the recommender said it: the rules give percent of the entity's CO2. */
function reduction(value, source) {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') return source === 'rules' ? '−' + intFormat.format(value) + ' % of its CO₂' : '−' + co2(value) + ' CO₂';
  return 'CO₂ ' + String(value);
}

/** Cost and feasibility: the rules score 1 to 10; said in words so that nobody has to guess which end is good. */
function score(label, value, low, high) {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number' && value >= 1 && value <= 10) {
    return { text: label + ' ' + intFormat.format(value) + '/10', title: label + ' from 1 (' + low + ') to 10 (' + high + ')' };
  }
  return { text: label + ' ' + (typeof value === 'object' ? JSON.stringify(value) : String(value)), title: label + ' as the service answered' };
}

export function renderRecommendations() {
  const items = (state.view ? state.entity.recommendations : state.recommendations).map(recommendationItem);
  $('recommendations').replaceChildren.apply($('recommendations'), items);
  $('recommendations-empty').hidden = items.length > 0;
}

function sourceLabel(r) {
  return r.source === 'rag'
    ? el('span', { 'class': 'source source-rag', title: 'Answered by the RAG service', text: 'RAG service' })
    : el('span', { 'class': 'source source-rules', title: 'Answered by the built-in rule-based recommender (no RAG service answered)',
      text: r.source === 'rules' ? 'built-in rules' : String(r.source) });
}

function actionItem(a, source) {
  const co2Chip = reduction(a.co2_reduction, source);
  const chips = [co2Chip ? { text: co2Chip, title: 'CO₂ this action would save', co2: true } : null,
    score('cost', a.cost_impact, 'cheap', 'costly'), score('feasibility', a.feasibility, 'hard', 'easy')]
    .filter(Boolean).map(function (c) { return el('span', { 'class': 'chip' + (c.co2 ? ' chip-co2' : ''), title: c.title, text: c.text }); });
  return el('li', null, [el('span', { 'class': 'action-title', text: a.title ? humanize(a.title) : '(untitled action)' }),
    el('span', { 'class': 'chips' }, chips)]);
}

function recommendationItem(r) {
  const past = !hotspotOpen(r.hotspot_id);
  const actions = (r.actions || []).map(function (a) { return actionItem(a, r.source); });
  const li = el('li', { 'class': 'rec' + (past ? ' is-past' : ''), 'data-recommendation-id': r.id, 'data-source': r.source }, [
    el('div', { 'class': 'rec-head' }, [
      entityLink(r.entity_type, r.entity, 'rec-entity'),
      past ? el('span', { 'class': 'badge badge-past', title: 'Its hotspot is resolved', text: 'past' })
        : r.severity ? severityBadge(r.severity) : null,
      sourceLabel(r),
      el('time', { datetime: r.created_at, title: r.created_at, text: when(r.created_at) })
    ]),
    el('p', { 'class': 'root-cause', title: r.root_cause || '' }, [el('span', { 'class': 'label', text: 'Root cause ' }),
      r.root_cause ? humanize(r.root_cause) : '–']),
    actions.length ? el('ol', { 'class': 'actions' }, actions)
      : el('p', { 'class': 'no-actions', text: 'No action would lower this entity\'s CO₂.' })
  ]);
  flash(li, 'r' + r.id);
  return li;
}
