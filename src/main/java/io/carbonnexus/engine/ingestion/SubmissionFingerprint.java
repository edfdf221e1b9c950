package io.carbonnexus.engine.ingestion;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an {@code Idempotency-Key} of {@code POST /events} is bound to: the hex SHA-256 of the
 * events in a canonical form, so that a retry of the same events matches however its client wrote
 * them, and a different batch never does. Canonical means: the JSON as parsed (string escapes
 * decoded, whitespace gone), every object's keys in sorted order, a field set to null left out
 * (it stores the same row as an absent one), every number as the double it is stored as ({@code 10},
 * {@code 10.0} and {@code 1e1} are one value), then encoded by Vert.x ({@code Json.encode}) as
 * UTF-8. The order of the events counts: they get their ids in that order.
 */
final class SubmissionFingerprint {

  private SubmissionFingerprint() {
  }

  static String of(JsonArray events) {
    String canonical = Json.encode(canonical(events));
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  private static Object canonical(Object value) {
    if (value instanceof JsonObject object) {
      Map<String, Object> sorted = new TreeMap<>();
      for (Map.Entry<String, Object> field : object) {
        if (field.getValue() != null) {
          sorted.put(field.getKey(), canonical(field.getValue()));
        }
      }
      return sorted;
    }
    if (value instanceof JsonArray array) {
      List<Object> items = new ArrayList<>(array.size());
      array.forEach(item -> items.add(canonical(item)));
      return items;
    }
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    return value;
  }
}
