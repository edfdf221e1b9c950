package io.carbonnexus.engine.support;

import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;

/**
 * JWTs minted the way an identity provider (Supabase Auth) would, by hand from the RFC 7515/7519
 * wire format: tests of the engine's authentication do not sign with the library they test.
 */
public final class Jwts {

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private Jwts() {
  }

  /** Claims a Supabase user token carries: sub, role, aud, iss, iat, exp ({@code ttlSeconds} may be negative). */
  public static JsonObject claims(String role, String audience, String issuer, long ttlSeconds) {
    long now = Instant.now().getEpochSecond();
    JsonObject claims = new JsonObject().put("sub", "user-" + role).put("role", role).put("iat", now - 60)
      .put("exp", now + ttlSeconds);
    if (audience != null) {
      claims.put("aud", audience);
    }
    if (issuer != null) {
      claims.put("iss", issuer);
    }
    return claims;
  }

  public static String hs256(String secret, JsonObject claims) {
    return hs256(secret, null, claims);
  }

  /** HS256 with a key id in the header ({@code kid} null: none), as an algorithm-confusion forgery would carry. */
  public static String hs256(String secret, String kid, JsonObject claims) {
    JsonObject header = new JsonObject().put("alg", "HS256").put("typ", "JWT");
    if (kid != null) {
      header.put("kid", kid);
    }
    String signingInput = part(header) + "." + part(claims);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return signingInput + "." + B64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static KeyPair ecKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** ES256: ECDSA P-256 over SHA-256, the signature as r || s (what JOSE wants, not DER). */
  public static String es256(PrivateKey key, String kid, JsonObject claims) {
    String signingInput = part(new JsonObject().put("alg", "ES256").put("typ", "JWT").put("kid", kid)) + "." + part(claims);
    try {
      Signature signature = Signature.getInstance("SHA256withECDSAinP1363Format");
      signature.initSign(key);
      signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + B64.encodeToString(signature.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The public half as a JWK of a key set (RFC 7517), as Supabase publishes it. */
  public static JsonObject ecJwk(ECPublicKey key, String kid) {
    return new JsonObject().put("kty", "EC").put("crv", "P-256").put("alg", "ES256").put("use", "sig").put("kid", kid)
      .put("x", B64.encodeToString(fixed(key.getW().getAffineX())))
      .put("y", B64.encodeToString(fixed(key.getW().getAffineY())));
  }

  private static byte[] fixed(BigInteger coordinate) {
    byte[] raw = coordinate.toByteArray();
    byte[] out = new byte[32];
    int copy = Math.min(32, raw.length);
    System.arraycopy(raw, raw.length - copy, out, 32 - copy, copy);
    return out;
  }

  private static String part(JsonObject json) {
    return B64.encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  /** An unsecured JWT (RFC 7519 §6): {@code alg: none} and an empty signature. */
  public static String unsigned(JsonObject claims) {
    return part(new JsonObject().put("alg", "none").put("typ", "JWT")) + "." + part(claims) + ".";
  }

  /** The same token with its signature changed: what a forger without the key can do. */
  public static String tampered(String token) {
    char[] chars = token.toCharArray();
    int i = chars.length - 3;
    chars[i] = chars[i] == 'A' ? 'B' : 'A';
    return new String(chars);
  }
}
