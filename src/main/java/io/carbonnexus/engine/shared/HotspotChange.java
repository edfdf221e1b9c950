package io.carbonnexus.engine.shared;

import java.util.Arrays;

/**
 * What happened to an entity's hotspot in an evaluation: the {@code change} of the
 * {@code hotspots} channel and of the {@code hotspot_changes} table, and what detection, alerting
 * and recommendations decide on. {@link #NONE} is the policy's "nothing happened": it is never
 * published or stored, and {@link #parse} refuses it.
 */
public enum HotspotChange {
  NONE("none"),
  OPENED("opened"),
  UPDATED("updated"),
  ESCALATED("escalated"),
  DEESCALATED("deescalated"),
  RESOLVED("resolved");

  private final String wire;

  HotspotChange(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** Changes of level, which alerting and the change history care about; an update is not one. */
  public boolean isTransition() {
    return this == OPENED || this == ESCALATED || this == DEESCALATED || this == RESOLVED;
  }

  /** A change as published; anything else ({@code none}, other case, blanks, null) is refused. */
  public static HotspotChange parse(String wire) {
    return Arrays.stream(values()).filter(c -> c != NONE && c.wire.equals(wire)).findFirst()
      .orElseThrow(() -> new IllegalArgumentException("unknown hotspot change '" + wire + "': expected "
        + Words.either(Arrays.stream(values()).filter(c -> c != NONE).map(HotspotChange::wire).toList())));
  }
}
