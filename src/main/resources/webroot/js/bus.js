/*
 * The connection to the engine's event-bus bridge (EventBus, the global of
 * vendor/vertx-eventbus.js over SockJS): the four channels registered on every open with the
 * token of the moment, reconnects, and the bridge's refusals, handed to whoever connected.
 */
import { authHeaders } from './auth.js';
import { setConnection, showBanner } from './status.js';

const CHANNELS = ['emissions', 'hotspots', 'alerts', 'recommendations'];
/** The bridge's close code for a token that expired (raw WebSocket transport). */
const TOKEN_EXPIRED = 4401;

let eb = null;

/**
 * Opens the bridge (closing any before). handlers: message(address, body) per channel message,
 * reopened() after a reconnect, rejected() when a registration was refused, expired() when the
 * token expired.
 */
export function connect(handlers) {
  if (typeof EventBus !== 'function') {
    setConnection('offline');
    showBanner('The event-bus client did not load: the page shows the state at load time only.');
    return;
  }
  disconnect();
  let everOpen = false;
  const bus = new EventBus('/eventbus');
  eb = bus;
  bus.enableReconnect(true);
  bus.onopen = function () {
    // Handlers live as long as one connection: register on every open, reconnects included,
    // each time with the token of the moment (the engine checks it per registration).
    const headers = authHeaders();
    CHANNELS.forEach(function (address) {
      bus.registerHandler(address, headers, function (err, msg) {
        if (err) {
          console.error('Carbon Nexus: channel ' + address + ' failed:', err);
          return;
        }
        handlers.message(address, msg.body);
      });
    });
    // Live only once the four registrations are on their way.
    setConnection('live');
    // After a reconnect, whatever changed while offline comes from REST once more.
    if (everOpen) handlers.reopened();
    everOpen = true;
  };
  bus.onclose = function (e) {
    if (e && e.code === TOKEN_EXPIRED) {
      handlers.expired();
      return;
    }
    setConnection('offline');
  };
  // The bridge's refusals come as err frames that name no address, so they land here and not in
  // a channel's handler: "rejected" for a registration without a valid token, "token_expired"
  // just before it closes a socket whose token expired (SockJS transports cannot carry the 4401).
  bus.onerror = function (frame) {
    if (frame && frame.body === 'token_expired') {
      handlers.expired();
    } else if (frame && frame.body === 'rejected') {
      handlers.rejected();
    } else {
      console.error('Carbon Nexus: event bus error:', frame);
    }
  };
}

/** Closes the bridge for good (no reconnect); its handlers are detached first so nothing reports the close. */
export function disconnect() {
  if (!eb) return;
  const bus = eb;
  eb = null;
  bus.onopen = null;
  bus.onclose = null;
  bus.onerror = function () {};
  bus.enableReconnect(false);
  try {
    bus.close();
  } catch (e) {
    // Between two reconnect attempts there is no socket to close.
  }
}
