package io.carbonnexus.engine;

/** Start-up failed for a reason a user can act on; the message says what and, where known, how to fix it. */
public final class StartupException extends RuntimeException {
  public StartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
