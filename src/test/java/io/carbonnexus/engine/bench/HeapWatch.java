package io.carbonnexus.engine.bench;

import com.sun.management.GarbageCollectionNotificationInfo;

import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;

/**
 * The heap over a run without ever calling {@code System.gc()}: every collection the JVM makes on
 * its own is reported with the old generation's occupancy before and after it. Heap used at any
 * instant is mostly garbage not yet collected; what the old generation holds right after a
 * collection that reclaimed some of it (a mixed or full collection) is the live data, plus the
 * garbage that collection chose to leave. Its floor per quarter of the run is what is compared:
 * a leak raises the floor, garbage does not.
 */
final class HeapWatch implements NotificationListener {

  /** One collection that freed old-generation space: when (ms into the run) and what stayed. */
  record Reclaim(long atMs, long oldAfterBytes) {
  }

  private final MemoryPoolMXBean oldGen;
  private final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
  /** Bounded: at most one entry per old-generation reclaim, tens in a 10-minute run. */
  private final List<Reclaim> reclaims = new ArrayList<>();
  private volatile long startNanos = System.nanoTime();
  private long collections;

  HeapWatch() {
    MemoryPoolMXBean found = null;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      String name = pool.getName();
      if (pool.getType() == MemoryType.HEAP && (name.contains("Old Gen") || name.contains("Tenured"))) {
        found = pool;
      }
    }
    if (found == null) {
      throw new IllegalStateException("no old-generation heap pool: run with G1, Parallel or Serial GC");
    }
    oldGen = found;
    for (GarbageCollectorMXBean gc : collectors) {
      ((NotificationEmitter) gc).addNotificationListener(this, null, null);
    }
  }

  String oldGenName() {
    return oldGen.getName();
  }

  String collectorNames() {
    return String.join(" + ", collectors.stream().map(GarbageCollectorMXBean::getName).toList());
  }

  /** Starts the run's clock: reclaims are timed from here, and earlier ones are forgotten. */
  synchronized void start() {
    startNanos = System.nanoTime();
    reclaims.clear();
    collections = 0;
  }

  void stop() {
    for (GarbageCollectorMXBean gc : collectors) {
      try {
        ((NotificationEmitter) gc).removeNotificationListener(this);
      } catch (Exception ignored) {
        // already removed
      }
    }
  }

  @Override
  public void handleNotification(Notification notification, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
      return;
    }
    var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
    MemoryUsage before = info.getGcInfo().getMemoryUsageBeforeGc().get(oldGen.getName());
    MemoryUsage after = info.getGcInfo().getMemoryUsageAfterGc().get(oldGen.getName());
    synchronized (this) {
      collections++;
      if (before != null && after != null && after.getUsed() < before.getUsed()) {
        reclaims.add(new Reclaim((System.nanoTime() - startNanos) / 1_000_000, after.getUsed()));
      }
    }
  }

  /** Heap used now, garbage included (MemoryMXBean). */
  static long heapUsed() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** The old generation after the JVM's last collection of any kind ({@code getCollectionUsage()}). */
  long oldGenAfterLastCollection() {
    MemoryUsage usage = oldGen.getCollectionUsage();
    return usage == null ? -1 : usage.getUsed();
  }

  synchronized long collections() {
    return collections;
  }

  synchronized List<Reclaim> reclaims() {
    return List.copyOf(reclaims);
  }
}
