package io.carbonnexus.engine.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Who used the machine's CPUs between two samples: this JVM (the servers), the embedded
 * PostgreSQL (postmaster and its backends), the load generator's JVM, and everything else. On a
 * shared 2-core machine the last one says how much a round was disturbed by other work, and the
 * split between the JVM and PostgreSQL says where a request's cost goes. Linux only (/proc).
 */
final class CpuAccount {

  /** Jiffies in /proc/stat are USER_HZ, 100 on every Linux the project runs on. */
  private static final long NANOS_PER_TICK = 10_000_000L;

  /** CPU times so far; PostgreSQL's per process id, since backends come and go between samples. */
  record Sample(long wallNanos, long jvmNanos, Map<Long, Long> postgresNanos, long childNanos, long machineBusyNanos,
                Map<String, Long> threadNanos) {
  }

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final long postmasterPid;
  private volatile ProcessHandle child;

  /** @param postgresDataDir the data directory whose postmaster.pid names the server; null when there is none */
  CpuAccount(Path postgresDataDir) throws IOException {
    this.postmasterPid = postgresDataDir == null ? -1
      : Long.parseLong(Files.readAllLines(postgresDataDir.resolve("postmaster.pid")).get(0).trim());
  }

  void child(Process process) {
    this.child = process.toHandle();
  }

  Sample sample() {
    Map<Long, Long> postgres = new HashMap<>();
    if (postmasterPid > 0) {
      Optional<ProcessHandle> postmaster = ProcessHandle.of(postmasterPid);
      if (postmaster.isPresent()) {
        postgres.put(postmasterPid, cpu(postmaster.get()));
        postmaster.get().children().forEach(p -> postgres.put(p.pid(), cpu(p)));
      }
    }
    ProcessHandle c = child;
    return new Sample(System.nanoTime(), cpu(ProcessHandle.current()), postgres, c == null ? 0 : cpu(c), machineBusy(),
      threads());
  }

  /**
   * The thread of this JVM that used the most CPU between the samples, and how many cores it used:
   * a thread near 1.0 is a verticle that cannot go faster however idle the other cores are.
   */
  static String busiestThread(Sample a, Sample b) {
    double wall = b.wallNanos() - a.wallNanos();
    return b.threadNanos().entrySet().stream()
      .map(e -> Map.entry(e.getKey(), (e.getValue() - a.threadNanos().getOrDefault(e.getKey(), 0L)) / wall))
      .max(Comparator.comparingDouble(Map.Entry::getValue))
      .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue()))
      .orElse("none");
  }

  private static Map<String, Long> threads() {
    Map<String, Long> out = new HashMap<>();
    for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (info != null) {
        long nanos = THREADS.getThreadCpuTime(info.getThreadId());
        if (nanos > 0) {
          out.merge(info.getThreadName(), nanos, Long::sum);
        }
      }
    }
    return out;
  }

  /** Cores used on average between the samples: this JVM, PostgreSQL, the child, others. */
  static double[] cores(Sample a, Sample b) {
    double wall = b.wallNanos() - a.wallNanos();
    double jvm = (b.jvmNanos() - a.jvmNanos()) / wall;
    // A backend that exited in between is not counted; one that started is counted from zero.
    double pg = b.postgresNanos().entrySet().stream()
      .mapToLong(e -> e.getValue() - a.postgresNanos().getOrDefault(e.getKey(), 0L)).sum() / wall;
    double child = (b.childNanos() - a.childNanos()) / wall;
    double busy = (b.machineBusyNanos() - a.machineBusyNanos()) / wall;
    return new double[] {jvm, pg, child, Math.max(0, busy - jvm - pg - child)};
  }

  static String describe(double[] cores) {
    return String.format(Locale.ROOT, "servers' JVM %.2f, PostgreSQL %.2f, load JVM %.2f, others %.2f cores",
      cores[0], cores[1], cores[2], cores[3]);
  }

  private static long cpu(ProcessHandle p) {
    return p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
  }

  /** CPU time spent busy by the whole machine (user, nice, system, irq, softirq, steal), from /proc/stat. */
  private static long machineBusy() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        if (i != 4 && i != 5) { // idle, iowait
          busy += Long.parseLong(f[i]);
        }
      }
      return busy * NANOS_PER_TICK;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
