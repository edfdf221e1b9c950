package io.carbonnexus.engine.shared;

import java.util.Arrays;

/**
 * Codes carried by failed bus replies ({@code message.fail(code.code(), text)}). The numbers are
 * part of the contract: never reorder or reuse them. The HTTP layer maps them to statuses.
 */
public enum FailureCode {
  /** The request body is malformed or names something that cannot be. */
  INVALID_REQUEST(1),
  /** The thing asked for does not exist. */
  NOT_FOUND(2),
  /** The database refused or failed the operation. */
  STORAGE_FAILED(3),
  /** A dependency needed to answer is unavailable. */
  UNAVAILABLE(4),
  /**
   * An idempotency key that is still remembered was used with a different request: replaying the
   * first answer would silently drop the second request, storing it would break the key's promise.
   */
  IDEMPOTENCY_KEY_REUSED(5);

  private final int code;

  FailureCode(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static FailureCode of(int code) {
    return Arrays.stream(values()).filter(c -> c.code == code).findFirst()
      .orElseThrow(() -> new IllegalArgumentException("unknown failure code " + code));
  }
}
