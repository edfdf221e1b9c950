package io.carbonnexus.engine.prediction;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The factor tables behind the built-in model, read from {@code emission-factors.csv}
 * ("Freighting goods": tank-to-wheel, or generation for electric vehicles) and
 * {@code emission-factors-wtt.csv} (well-to-tank), copies of the published factors with their
 * sources. Every vehicle type needs a row in both: a figure without its upstream part is not one an
 * auditor accepts. Vehicle types and their aliases are matched case- and whitespace-insensitively;
 * {@code -} and spaces count as {@code _}.
 */
public final class EmissionFactorTable {

  public static final String RESOURCE = "/emission-factors.csv";
  public static final String WTT_RESOURCE = "/emission-factors-wtt.csv";
  /** The published set both tables come from. */
  public static final String FACTOR_SET = "defra-2025";

  private final List<EmissionFactor> factors;
  private final Map<String, EmissionFactor> byName;
  private final String fingerprint;

  private EmissionFactorTable(List<EmissionFactor> factors, String fingerprint) {
    this.factors = List.copyOf(factors);
    this.fingerprint = fingerprint;
    Map<String, EmissionFactor> names = new LinkedHashMap<>();
    for (EmissionFactor f : factors) {
      register(names, f.vehicleType(), f);
      f.aliases().forEach(alias -> register(names, alias, f));
    }
    this.byName = Collections.unmodifiableMap(names);
  }

  /** The table shipped with the engine. */
  public static EmissionFactorTable builtin() {
    return parse(resource(RESOURCE), resource(WTT_RESOURCE));
  }

  /** A tank-to-wheel table with the built-in well-to-tank one. */
  public static EmissionFactorTable parse(String csv) {
    return parse(csv, resource(WTT_RESOURCE));
  }

  /**
   * Parses the CSV formats of {@code emission-factors.csv} and
   * {@code emission-factors-wtt.csv}: {@code #} comments, a header, one row per type.
   */
  public static EmissionFactorTable parse(String csv, String wttCsv) {
    Map<String, Map<String, String>> wtt = new LinkedHashMap<>();
    rows(wttCsv, "well-to-tank factors").forEach((lineNo, row) -> wtt.put(normalize(row.get("vehicle_type")), row));
    List<EmissionFactor> rows = new ArrayList<>();
    for (Map.Entry<Integer, Map<String, String>> entry : rows(csv, "emission factors").entrySet()) {
      int lineNo = entry.getKey();
      Map<String, String> row = entry.getValue();
      Map<String, String> upstream = wtt.get(normalize(row.get("vehicle_type")));
      if (upstream == null) {
        throw new IllegalArgumentException("well-to-tank factors: no row for " + row.get("vehicle_type"));
      }
      rows.add(new EmissionFactor(
        row.get("vehicle_type"),
        row.get("aliases").isEmpty() ? List.of() : List.of(row.get("aliases").split(";")),
        row.get("mode"),
        required(row, "kg_per_tkm_avg_laden", lineNo),
        optional(row, "kg_per_vkm_empty", lineNo),
        optional(row, "kg_per_vkm_full", lineNo),
        optional(row, "kg_per_vkm_avg", lineNo),
        row.get("status"),
        row.get("source"),
        upstream.get("energy"),
        required(upstream, "wtt_kg_per_tkm_avg_laden", lineNo),
        optional(upstream, "wtt_kg_per_vkm_empty", lineNo),
        optional(upstream, "wtt_kg_per_vkm_full", lineNo)));
    }
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("emission factors: no rows");
    }
    return new EmissionFactorTable(rows, sha256(csv + "\n" + wttCsv).substring(0, 8));
  }

  private static String resource(String name) {
    try (InputStream in = EmissionFactorTable.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The data rows of a factor CSV by line number, each as column → trimmed text. */
  private static Map<Integer, Map<String, String>> rows(String csv, String what) {
    Map<Integer, Map<String, String>> rows = new LinkedHashMap<>();
    List<String> header = null;
    int lineNo = 0;
    for (String line : csv.split("\r?\n")) {
      lineNo++;
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      List<String> cells = Arrays.asList(line.split(",", -1));
      if (header == null) {
        header = cells.stream().map(String::trim).toList();
        continue;
      }
      if (cells.size() != header.size()) {
        throw new IllegalArgumentException(what + " line " + lineNo + ": " + cells.size()
          + " fields, the header has " + header.size());
      }
      Map<String, String> row = new LinkedHashMap<>();
      for (int i = 0; i < header.size(); i++) {
        row.put(header.get(i), cells.get(i).trim());
      }
      rows.put(lineNo, row);
    }
    return rows;
  }

  public Optional<EmissionFactor> find(String vehicleType) {
    return vehicleType == null ? Optional.empty() : Optional.ofNullable(byName.get(normalize(vehicleType)));
  }

  /** The mode of the factors that fly (DEFRA's air freight): the air-share test counts their shipments. */
  public static final String AIR = "air";

  /** Whether shipments of this vehicle type fly: its factor's mode is air. */
  public boolean flies(String vehicleType) {
    return find(vehicleType).map(f -> AIR.equals(f.mode())).orElse(false);
  }

  public List<EmissionFactor> factors() {
    return factors;
  }

  /** Changes whenever a factor does: part of the model version, so results stay reproducible. */
  public String fingerprint() {
    return fingerprint;
  }

  private static final java.util.regex.Pattern SEPARATORS = java.util.regex.Pattern.compile("[\\s\\-]+");

  static String normalize(String name) {
    return SEPARATORS.matcher(name.trim().toLowerCase(Locale.ROOT)).replaceAll("_");
  }

  private static void register(Map<String, EmissionFactor> names, String name, EmissionFactor f) {
    EmissionFactor previous = names.put(normalize(name), f);
    if (previous != null && previous != f) {
      throw new IllegalArgumentException("emission factors: '" + name + "' names both "
        + previous.vehicleType() + " and " + f.vehicleType());
    }
  }

  private static double required(Map<String, String> row, String column, int lineNo) {
    Double value = optional(row, column, lineNo);
    if (value == null) {
      throw new IllegalArgumentException("emission factors line " + lineNo + ": " + column + " is empty");
    }
    return value;
  }

  private static Double optional(Map<String, String> row, String column, int lineNo) {
    String text = row.get(column);
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      return Double.valueOf(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("emission factors line " + lineNo + ": " + column + " '" + text + "' is not a number");
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
