package io.carbonnexus.engine;

import io.carbonnexus.engine.config.ConfigException;

/** Start-up failed for a reason a user can act on; the message says what and, where known, how to fix it. */
public final class StartupException extends RuntimeException {
  public StartupException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The innermost cause's message (a configuration error's own), for one line a user can read. */
  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t && !(t instanceof ConfigException)) {
      t = t.getCause();
    }
    String message = t.getMessage();
    return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
  }
}
