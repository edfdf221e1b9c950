package io.carbonnexus.engine.notify;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * The webhook signature: {@code sha256=} + hex HMAC-SHA256 of {@code timestamp + "." + body}
 * under the receiver's secret. The timestamp is signed too, so a receiver that refuses old
 * timestamps also refuses a replayed request.
 */
public final class Signature {

  public static final String TIMESTAMP_HEADER = "X-Nexus-Timestamp";
  public static final String SIGNATURE_HEADER = "X-Nexus-Signature";
  public static final String NOTIFICATION_ID_HEADER = "X-Nexus-Notification-Id";

  private Signature() {
  }

  public static String sign(String secret, long unixSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((unixSeconds + ".").getBytes(StandardCharsets.UTF_8));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }
}
