/*
 * The REST client: a GET with the token, answered JSON or an Error that carries the status and
 * the engine's {"error"} text (err.status, err.reason).
 */
import { authHeaders } from './auth.js';

export function getJson(path) {
  const headers = authHeaders();
  headers.accept = 'application/json';
  return fetch(path, { headers: headers, cache: 'no-store' }).then(function (res) {
    if (!res.ok) {
      return res.json().catch(function () { return {}; }).then(function (body) {
        const err = new Error(path + ': ' + res.status + (body && body.error ? ' ' + body.error : ''));
        err.status = res.status;
        err.reason = body && typeof body.error === 'string' ? body.error : null;
        throw err;
      });
    }
    return res.json();
  });
}
