package io.carbonnexus.engine.shared;

import java.util.Arrays;

/** Whether a hotspot is open or resolved: the {@code status} of the hotspots table, bodies and channel. */
public enum HotspotStatus {
  OPEN("open"),
  RESOLVED("resolved");

  private final String wire;

  HotspotStatus(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** The status with this wire name; anything else (other case, blanks, null) is refused. */
  public static HotspotStatus parse(String wire) {
    return Arrays.stream(values()).filter(s -> s.wire.equals(wire)).findFirst()
      .orElseThrow(() -> new IllegalArgumentException("unknown hotspot status '" + wire + "': expected open or resolved"));
  }
}
