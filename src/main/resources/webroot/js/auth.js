/*
 * The access token: where it is kept, the header that carries it, and who it names. When the
 * engine requires a token (it answers 401), every request and every bridge registration sends it.
 */

const TOKEN_KEY = 'carbon-nexus.token';

export const auth = {
  token: readToken(),
  accepted: false,         // the engine took the current token at least once
  asking: false,           // the sign-in panel is up
  generation: 0            // bumped on sign-in and sign-out: answers of an older session are dropped
};

/** sessionStorage: the token lives as long as the tab, and is not left behind on a shared computer. */
function readToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch (e) {
    return null;
  }
}

export function storeToken(token) {
  auth.token = token || null;
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch (e) {
    // Storage disabled: the token lives in this page only.
  }
}

export function authHeaders() {
  return auth.token ? { Authorization: 'Bearer ' + auth.token } : {};
}

/** Who a JWT names (email or subject), for the "signed in" line; null for the operator token. */
export function tokenSubject(token) {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const json = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, function (c) { return c.charCodeAt(0); })));
    return typeof claims.email === 'string' ? claims.email : typeof claims.sub === 'string' ? claims.sub : null;
  } catch (e) {
    return null;
  }
}
