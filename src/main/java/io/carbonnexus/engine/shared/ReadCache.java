package io.carbonnexus.engine.shared;

import io.vertx.core.Future;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Answers of read queries kept for a short time and shared by the requests that ask for the same
 * thing meanwhile: a dashboard polled by many browsers costs one database query per key per
 * {@code ttlMs}, not one per request. An answer is at most {@code ttlMs} old; live changes reach
 * browsers through the channels anyway. A failed load is not kept. Used on one event loop (a
 * verticle's), so it needs no locking.
 */
public final class ReadCache<K, T> {

  private record Entry<T>(Future<T> answer, long loadedAt) {
  }

  private final long ttlMs;
  private final int maxKeys;
  private final Map<K, Entry<T>> entries;

  public ReadCache(long ttlMs, int maxKeys) {
    this.ttlMs = ttlMs;
    this.maxKeys = maxKeys;
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, Entry<T>> eldest) {
        return size() > ReadCache.this.maxKeys;
      }
    };
  }

  /** Forgets every answer: the next request of each key loads again. */
  public void clear() {
    entries.clear();
  }

  /** Keeps {@code answer} as the fresh answer for {@code key} (pushed rather than loaded). */
  public void put(K key, T answer) {
    entries.put(key, new Entry<>(Future.succeededFuture(answer), System.currentTimeMillis()));
  }

  /** The answer for {@code key}: a fresh or in-flight one when there is one, else {@code load}'s. */
  public Future<T> get(K key, Supplier<Future<T>> load) {
    long now = System.currentTimeMillis();
    Entry<T> entry = entries.get(key);
    if (entry != null && (!entry.answer().isComplete() || now - entry.loadedAt() < ttlMs)) {
      return entry.answer();
    }
    Future<T> answer = load.get();
    Entry<T> loading = new Entry<>(answer, now);
    entries.put(key, loading);
    answer.onFailure(err -> entries.remove(key, loading));
    return answer;
  }
}
