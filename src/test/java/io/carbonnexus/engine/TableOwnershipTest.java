package io.carbonnexus.engine;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each table has an owner, the only concern whose SQL writes it, and the few deliberate writes
 * across concerns are declared (docs/architecture.md, "Who writes and who reads each table"). A
 * concern that starts writing another's table, or a table nobody declared, fails here: the reader
 * that relied on being the only one to see the owner's rules would otherwise break in production.
 * Pure: it reads sources, not a database.
 */
class TableOwnershipTest {

  private static final Path SOURCES = Path.of("src/main/java/io/carbonnexus/engine");
  private static final Path MIGRATIONS = Path.of("src/main/resources/db/migration");
  private static final Path ARCHITECTURE = Path.of("docs/architecture.md");

  /** Classes directly in the engine's root package (Engine, Main) count as this concern. */
  private static final String ROOT = "engine";

  /**
   * Which concerns may write each table: the owner and, where declared, a concern that writes it
   * on purpose. Kept equal to the documentation's table by a test below.
   */
  private static final Map<String, Set<String>> WRITERS = Map.ofEntries(
    // Owned by data-core; the demo feed and POST /events write it as producers, with the statement
    // kept in db (EventsTable.INSERT).
    entry("events_normalized", Set.of("demo", "ingestion", "db")),
    entry("predictions", Set.of("prediction")),
    entry("prediction_errors", Set.of("prediction")),
    // prediction drops the normals learnt on figures that moved to another emissions basis.
    entry("baselines", Set.of("hotspot", "prediction")),
    entry("baseline_bands", Set.of("hotspot", "prediction")),
    entry("entity_models", Set.of("hotspot", "prediction")),
    entry("lane_models", Set.of("hotspot", "prediction")),
    entry("hotspots", Set.of("hotspot")),
    entry("hotspot_changes", Set.of("hotspot")),
    entry("detection_runs", Set.of("hotspot")),
    // Written by database triggers on predictions only.
    entry("entity_minute_totals", Set.of()),
    entry("entity_hour_totals", Set.of()),
    entry("lane_minute_totals", Set.of()),
    entry("alerts", Set.of("alerting")),
    entry("silences", Set.of("alerting")),
    // The outbox pattern: alerting inserts the row in the statement that inserts the alert.
    entry("notification_outbox", Set.of("notify", "alerting")),
    entry("notifications", Set.of("notify")),
    entry("recommendations", Set.of("recommendation")),
    entry("recommendation_requests", Set.of("recommendation")),
    entry("demo_feed_state", Set.of("demo")),
    entry("ingestion_state", Set.of("ingestion")),
    entry("event_submissions", Set.of("ingestion")));

  /** Statements kept in a shared package and run by concerns: naming one is writing its table. */
  private static final Map<String, String> SHARED_STATEMENTS = Map.of("EventsTable.INSERT", "events_normalized");

  /**
   * A write and its table, in SQL whose whitespace is one space and letters are lower case. "for
   * update" (a row lock) and "do update" (an upsert's own table) are not writes of another table.
   */
  private static final Pattern WRITE = Pattern.compile(
    "(?<!for )(?<!do )\\b(?:insert into|merge into|update|delete from|truncate(?: table)?)(?: only)? ([a-z_][a-z0-9_]*)");

  private static final Pattern CREATE_TABLE = Pattern.compile(
    "create table (?:if not exists )?([a-z_][a-z0-9_]*)", Pattern.CASE_INSENSITIVE);

  @Test
  void everyConcernWritesOnlyTheTablesItIsAllowedToWrite() throws IOException {
    List<String> violations = new ArrayList<>();
    writesByConcern().forEach((concern, tables) -> {
      for (String table : tables) {
        Set<String> allowed = WRITERS.get(table);
        if (allowed == null) {
          violations.add(concern + " writes " + table + ", a table with no declared owner");
        } else if (!allowed.contains(concern)) {
          violations.add(concern + " writes " + table + ", which only " + allowed + " may write");
        }
      }
    });
    assertThat(violations).isEmpty();
  }

  @Test
  void theScannerFindsTheWritesThatAreKnownToExist() throws IOException {
    // Guards the scanner itself: if it stopped seeing SQL, the test above would pass on anything.
    Map<String, Set<String>> writes = writesByConcern();
    assertThat(writes.get("alerting")).contains("alerts", "notification_outbox", "silences");
    assertThat(writes.get("hotspot")).contains("hotspots", "hotspot_changes", "baselines");
    assertThat(writes.get("demo")).contains("demo_feed_state", "events_normalized");
    assertThat(writes.get("prediction")).contains("predictions", "entity_models");
  }

  @Test
  void theOwnershipCoversEveryTableTheMigrationsCreate() throws IOException {
    Set<String> created = new TreeSet<>();
    try (Stream<Path> files = Files.list(MIGRATIONS)) {
      for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".sql")).toList()) {
        Matcher m = CREATE_TABLE.matcher(Files.readString(file));
        while (m.find()) {
          created.add(m.group(1).toLowerCase());
        }
      }
    }
    assertThat(new TreeSet<>(WRITERS.keySet())).isEqualTo(created);
  }

  @Test
  void theArchitectureDocumentDeclaresTheSameWritersAsThisTest() throws IOException {
    Set<String> concerns = concerns();
    Map<String, Set<String>> documented = new TreeMap<>();
    Pattern ticked = Pattern.compile("`([^`]+)`");
    for (String line : Files.readString(ARCHITECTURE).split("\n")) {
      String[] cells = line.split("\\|", -1);
      if (cells.length != 6 || !cells[1].trim().startsWith("`")) {
        continue;
      }
      String table = cells[1].trim().replace("`", "");
      if (!WRITERS.containsKey(table)) {
        continue;
      }
      Set<String> writers = new TreeSet<>();
      Matcher m = ticked.matcher(cells[2] + cells[3]);
      while (m.find()) {
        if (concerns.contains(m.group(1))) {
          writers.add(m.group(1));
        }
      }
      documented.put(table, writers);
    }
    Map<String, Set<String>> declared = new TreeMap<>();
    WRITERS.forEach((table, writers) -> declared.put(table, new TreeSet<>(writers)));
    assertThat(documented).isEqualTo(declared);
  }

  /** Every concern's written tables, from the string literals of its sources. */
  private static Map<String, Set<String>> writesByConcern() throws IOException {
    Map<String, Set<String>> writes = new TreeMap<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Path relative = SOURCES.relativize(file);
        String concern = relative.getNameCount() == 1 ? ROOT : relative.getName(0).toString();
        Set<String> tables = writes.computeIfAbsent(concern, c -> new TreeSet<>());
        tables.addAll(writtenTables(Files.readString(file)));
      }
    }
    return writes;
  }

  /** Tables written by the SQL in one source file, including shared statements it runs. */
  static Set<String> writtenTables(String source) {
    Set<String> tables = new TreeSet<>();
    Split split = split(source);
    for (String literal : split.literals) {
      Matcher m = WRITE.matcher(literal.replaceAll("\\s+", " ").toLowerCase());
      while (m.find()) {
        tables.add(m.group(1));
      }
    }
    SHARED_STATEMENTS.forEach((statement, table) -> {
      if (Pattern.compile("\\b" + Pattern.quote(statement) + "\\b").matcher(split.code).find()) {
        tables.add(table);
      }
    });
    return tables;
  }

  private static Set<String> concerns() throws IOException {
    try (Stream<Path> dirs = Files.list(SOURCES)) {
      return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString())
        .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /** A source cut into its string literals and its code, comments dropped from both. */
  private record Split(List<String> literals, String code) {
  }

  /**
   * Comments can say "update the hotspot" and code has no SQL outside strings, so only literals are
   * read as SQL; the code is kept to find the shared statements a concern runs.
   */
  private static Split split(String s) {
    List<String> literals = new ArrayList<>();
    StringBuilder code = new StringBuilder();
    int i = 0;
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      if (s.startsWith("//", i)) {
        int end = s.indexOf('\n', i);
        i = end < 0 ? n : end;
      } else if (s.startsWith("/*", i)) {
        int end = s.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
      } else if (s.startsWith("\"\"\"", i)) {
        int end = closing(s, i + 3, "\"\"\"");
        literals.add(s.substring(i + 3, end));
        i = Math.min(n, end + 3);
      } else if (c == '"' || c == '\'') {
        int end = closing(s, i + 1, String.valueOf(c));
        if (c == '"') {
          literals.add(s.substring(i + 1, end));
        }
        i = Math.min(n, end + 1);
      } else {
        code.append(c);
        i++;
      }
    }
    return new Split(literals, code.toString());
  }

  /** Where the literal that starts at {@code from} ends, escapes skipped. */
  private static int closing(String s, int from, String quote) {
    int i = from;
    while (i < s.length() && !s.startsWith(quote, i)) {
      i += s.charAt(i) == '\\' ? 2 : 1;
    }
    return Math.min(i, s.length());
  }
}
