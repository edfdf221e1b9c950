/*
 * The page's two status lines: the connection pill in the header (live, offline, connecting,
 * signed out) and the banner under it for a failure the page is recovering from.
 */
import { $, setText } from './dom.js';

const TITLES = {
  live: 'Live updates from the engine\'s event bus',
  offline: 'Event bus disconnected; reconnecting automatically',
  'signed out': 'No live updates until you sign in'
};

export function setConnection(text) {
  setText('connection', text);
  $('connection-pill').dataset.state = text;
  $('connection-pill').title = TITLES[text] || 'Connecting to the event bus…';
}

/** The banner's text; null hides it. */
export function showBanner(text) {
  const b = $('banner');
  b.hidden = !text;
  b.textContent = text || '';
}
