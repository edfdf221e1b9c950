/*
 * The session: the sign-in panel, sign-in and sign-out, and what starts and stops with a token —
 * the REST load and the bridge. Without authentication the engine never answers 401 and the
 * panel never shows.
 */
import { auth, storeToken, tokenSubject } from './auth.js';
import { connect, disconnect } from './bus.js';
import { $, setText } from './dom.js';
import { emptyEntity, state } from './state.js';
import { setConnection, showBanner } from './status.js';
import { apply, load, renderAll, setSession, stopLoading } from './sync.js';

const bridge = {
  message: function (address, body) { apply(address, body, true); },
  reopened: load,
  rejected: function () { askForToken(auth.token ? 'The live updates refused your token: sign in again.' : null); },
  expired: tokenExpired
};

/** Loads the state and opens the bridge, with the stored token if there is one; wires the panel. */
export function startSession() {
  setSession({ accepted: signedIn, refused: refused });
  $('signin-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    // A pasted "Bearer eyJ..." works too.
    const token = $('token').value.trim().replace(/^bearer\s+/i, '');
    if (!token) {
      setSigninMessage('Paste a token first.');
      $('token').focus();
      return;
    }
    signIn(token);
  });
  $('sign-out').addEventListener('click', signOut);
  load();
  connect(bridge);
}

/** A 401 from REST: the engine wants a token, or no longer takes this one. */
function refused(err) {
  const reason = err.reason ? ' (' + err.reason + ')' : '';
  askForToken(!auth.token ? null : auth.accepted
    ? 'Your token stopped working' + reason + ': sign in again.'
    : 'The engine did not accept that token' + reason + '.');
}

function tokenExpired() {
  askForToken('Your token has expired: sign in again to resume live updates.');
}

/**
 * Stops everything that needs a token and shows the sign-in panel; `message` says why (null: the
 * first ask, the panel's own text is enough). Asking again while the panel is up only adds a
 * message if none is shown: REST and the bridge often refuse together, the first reason is enough.
 */
function askForToken(message) {
  if (auth.asking) {
    if (message && $('signin-message').hidden) setSigninMessage(message);
    return;
  }
  auth.asking = true;
  auth.accepted = false;
  auth.generation++;
  storeToken(null);
  disconnect();
  stopLoading();
  setConnection('signed out');
  showBanner(null);
  document.body.dataset.auth = 'signed-out';
  $('session').hidden = true;
  $('sign-in').disabled = false;
  setSigninMessage(message);
  $('signin').hidden = false;
  // Behind the panel, the figures of a session that ended stay visible; a page that never had any shows none.
  $('dashboard').hidden = !state.shown;
  $('token').value = '';
  $('token').focus();
}

function setSigninMessage(message) {
  const node = $('signin-message');
  node.hidden = !message;
  node.textContent = message || '';
}

/** The engine took the token: the panel goes, the header says so. */
function signedIn() {
  auth.accepted = true;
  auth.asking = false;
  document.body.dataset.auth = 'signed-in';
  $('signin').hidden = true;
  $('dashboard').hidden = false;
  const who = tokenSubject(auth.token);
  setText('session-who', who ? 'signed in as ' + who : 'signed in', who || 'signed in with the operator token');
  $('session').hidden = false;
}

function signIn(token) {
  storeToken(token);
  // Checking now: a refusal of this token asks afresh, with its reason.
  auth.asking = false;
  auth.generation++;
  $('sign-in').disabled = true;
  setSigninMessage(null);
  setConnection('connecting');
  // The panel stays until the engine answers: a refused token brings its reason right there.
  load();
  connect(bridge);
}

function signOut() {
  auth.generation++;
  state.snapshot = null;
  state.hotspots = new Map();
  state.alerts = [];
  state.recommendations = [];
  state.entity = emptyEntity();
  state.history = null;
  state.pending = [];
  state.loaded = false;
  state.shown = false;
  renderAll();
  askForToken('You are signed out.');
}
