package io.carbonnexus.engine.shared;

import java.util.Arrays;
import java.util.List;

/** Whether a hotspot is open or resolved: the {@code status} of the hotspots table, bodies and channel. */
public enum HotspotStatus {
  OPEN("open"),
  RESOLVED("resolved");

  private static final List<String> WIRES = Arrays.stream(values()).map(HotspotStatus::wire).toList();

  private final String wire;

  HotspotStatus(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** The wire names in order: {@code [open, resolved]}. */
  public static List<String> wires() {
    return WIRES;
  }

  /** The status with this wire name; anything else (other case, blanks, null) is refused. */
  public static HotspotStatus parse(String wire) {
    return Arrays.stream(values()).filter(s -> s.wire.equals(wire)).findFirst()
      .orElseThrow(() -> new IllegalArgumentException("unknown hotspot status '" + wire + "': expected "
        + Words.either(WIRES)));
  }
}
