package io.carbonnexus.engine.notify;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where notifications go: a named endpoint of one kind. Fields a kind does not use are null or
 * empty. The name is what routes, the delivery log and {@code POST /receivers/{name}/test} use.
 */
public record Receiver(String name, Kind kind, String url, String secret, Map<String, String> headers,
                       List<String> to, Smtp smtp) {

  public enum Kind {
    WEBHOOK("webhook"), SLACK("slack"), EMAIL("email"), ALERTMANAGER("alertmanager");

    private final String wire;

    Kind(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    static Kind of(String wire) {
      String w = wire == null ? "" : wire.trim().toLowerCase(Locale.ROOT);
      for (Kind k : values()) {
        if (k.wire.equals(w)) {
          return k;
        }
      }
      throw new IllegalArgumentException("kind '" + wire + "' is not webhook, slack, email or alertmanager");
    }
  }

  /** How an e-mail receiver reaches its SMTP server. {@code tls}: starttls, tls or none. */
  public record Smtp(String host, int port, String tls, String user, String password, String from) {
    @Override
    public String toString() {
      // Never the password: settings end up in logs.
      return host + ":" + port + " (" + tls + (user == null ? "" : ", as " + user) + ")";
    }
  }

  @Override
  public String toString() {
    return name + " (" + kind.wire() + ")";
  }
}
