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
 * The factor table behind the built-in model, read from {@code emission-factors.csv} (a copy of
 * the published factors with their sources). Vehicle types and their aliases are matched
 * case- and whitespace-insensitively; {@code -} and spaces count as {@code _}.
 */
public final class EmissionFactorTable {

  public static final String RESOURCE = "/emission-factors.csv";

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
    try (InputStream in = EmissionFactorTable.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the classpath");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses the CSV format of {@code shared/data/emission-factors.csv}: {@code #} comments, a header, one row per type. */
  public static EmissionFactorTable parse(String csv) {
    List<EmissionFactor> rows = new ArrayList<>();
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
        throw new IllegalArgumentException("emission factors line " + lineNo + ": " + cells.size()
          + " fields, the header has " + header.size());
      }
      Map<String, String> row = new LinkedHashMap<>();
      for (int i = 0; i < header.size(); i++) {
        row.put(header.get(i), cells.get(i).trim());
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
        row.get("source")));
    }
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("emission factors: no rows");
    }
    return new EmissionFactorTable(rows, sha256(csv).substring(0, 8));
  }

  public Optional<EmissionFactor> find(String vehicleType) {
    return vehicleType == null ? Optional.empty() : Optional.ofNullable(byName.get(normalize(vehicleType)));
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
