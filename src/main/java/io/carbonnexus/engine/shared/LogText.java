package io.carbonnexus.engine.shared;

/**
 * Text from outside (a path, an entity name, a vehicle type) made safe for one log line: control
 * characters are escaped, so a {@code %0A} in a request cannot forge a line of its own. The log
 * pattern applies this to every message ({@code SafeMessageConverter}); callers that put outside
 * text into an answer or an exception use it directly.
 */
public final class LogText {

  private LogText() {
  }

  public static String safe(String text) {
    if (text == null) {
      return null;
    }
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      String escaped = switch (c) {
        case '\n' -> "\\n";
        case '\r' -> "\\r";
        case '\t' -> "\\t";
        default -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? String.format("\\u%04x", (int) c) : null;
      };
      if (escaped != null && out == null) {
        out = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      if (out != null) {
        out.append(escaped != null ? escaped : String.valueOf(c));
      }
    }
    return out == null ? text : out.toString();
  }
}
