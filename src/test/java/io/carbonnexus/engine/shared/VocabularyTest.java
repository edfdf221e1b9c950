package io.carbonnexus.engine.shared;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shared vocabulary: each word has one wire name, and anything else is refused when read. */
class VocabularyTest {

  @ParameterizedTest(name = "{0}")
  @EnumSource(EntityType.class)
  void anEntityTypeIsReadBackFromItsWireName(EntityType type) {
    assertThat(EntityType.parse(type.wire())).isEqualTo(type);
  }

  @Test
  void theEntityTypesKeepTheirWireNamesAndOrder() {
    assertThat(EntityType.wires()).containsExactly("supplier", "route", "vehicle_type");
  }

  @ParameterizedTest(name = "\"{0}\"")
  @NullSource
  @ValueSource(strings = {"", "customer", "Supplier", " supplier", "SUPPLIER", "vehicle-type"})
  void anUnknownEntityTypeIsRefusedNamingTheKnownOnes(String wire) {
    assertThatThrownBy(() -> EntityType.parse(wire)).isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("supplier, route or vehicle_type");
    assertThat(EntityType.find(wire)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(HotspotStatus.class)
  void aHotspotStatusIsReadBackFromItsWireName(HotspotStatus status) {
    assertThat(HotspotStatus.parse(status.wire())).isEqualTo(status);
  }

  @ParameterizedTest(name = "\"{0}\"")
  @NullSource
  @ValueSource(strings = {"", "closed", "Open", "open ", "RESOLVED"})
  void anUnknownHotspotStatusIsRefused(String wire) {
    assertThatThrownBy(() -> HotspotStatus.parse(wire)).isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("open or resolved");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = HotspotChange.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
  void aPublishedHotspotChangeIsReadBackFromItsWireName(HotspotChange change) {
    assertThat(HotspotChange.parse(change.wire())).isEqualTo(change);
  }

  @Test
  void theHotspotChangesKeepTheWireNamesTheChannelCarries() {
    assertThat(Arrays.stream(HotspotChange.values()).map(HotspotChange::wire)).containsExactly("none", "opened", "updated", "escalated", "deescalated", "resolved");
  }

  @ParameterizedTest(name = "\"{0}\"")
  @NullSource
  @ValueSource(strings = {"", "none", "closed", "Opened", "OPENED", " opened", "de-escalated"})
  void anUnknownHotspotChangeIsRefusedAndNoneIsNeverReadFromTheWire(String wire) {
    assertThatThrownBy(() -> HotspotChange.parse(wire)).isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("opened, updated, escalated, deescalated or resolved");
  }

  @Test
  void onlyChangesOfLevelAreTransitions() {
    assertThat(Arrays.stream(HotspotChange.values()).filter(HotspotChange::isTransition)).containsExactly(HotspotChange.OPENED, HotspotChange.ESCALATED,
      HotspotChange.DEESCALATED, HotspotChange.RESOLVED);
  }

  @Test
  void anEntityKeyReadFromItsWireFormRefusesAnUnknownType() {
    assertThat(new EntityKey("route", "R1")).isEqualTo(new EntityKey(EntityType.ROUTE, "R1"));
    assertThatThrownBy(() -> new EntityKey("customer", "C1")).isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("customer");
  }

  @Test
  void entityKeysSortByTheWireNameOfTheirTypeThenByName() {
    // Alphabetical by wire name (route < supplier < vehicle_type), as the batch detection has always listed them.
    TreeSet<EntityKey> keys = new TreeSet<>(List.of(new EntityKey(EntityType.VEHICLE_TYPE, "hgv"),
      new EntityKey(EntityType.SUPPLIER, "B"), new EntityKey(EntityType.ROUTE, "R2"),
      new EntityKey(EntityType.SUPPLIER, "A"), new EntityKey(EntityType.ROUTE, "R1")));
    assertThat(keys).extracting(EntityKey::toString)
      .containsExactly("route R1", "route R2", "supplier A", "supplier B", "vehicle_type hgv");
  }

  @Test
  void aHotspotCarriesItsVocabularyOnTheWireByName() {
    Instant t = Instant.parse("2026-01-05T10:00:00Z");
    Hotspot h = new Hotspot(7, "Acme", EntityType.VEHICLE_TYPE, 150, 100, 50, Severity.WARN, HotspotStatus.OPEN, t, t,
      null, HotspotChange.DEESCALATED, "24h", Hotspot.EMISSIONS, null);
    JsonObject json = h.toJson();
    assertThat(json.getString("entity_type")).isEqualTo("vehicle_type");
    assertThat(json.getString("status")).isEqualTo("open");
    assertThat(json.getString("change")).isEqualTo("deescalated");
    assertThat(Hotspot.fromJson(json)).isEqualTo(h);
  }

  @Test
  void aMessageOnHotspotsWithAnUnknownChangeIsNotAHotspot() {
    Instant t = Instant.parse("2026-01-05T10:00:00Z");
    JsonObject json = new Hotspot(7, "Acme", "supplier", 150, 100, 50, Severity.WARN, "open", t, t, null, "opened")
      .toJson().put("change", "reopened");
    assertThat(Hotspot.fromMessage(json)).isNull();
  }

  @Test
  void aListFilterOutsideItsChoicesIsRefusedNamingThem() {
    List<String> kinds = List.of("firing", "repeat", "resolved");
    assertThat(ListQuery.oneOf(new JsonObject().put("kind", "repeat"), "kind", kinds)).isEqualTo("repeat");
    assertThat(ListQuery.oneOf(new JsonObject(), "kind", kinds)).isNull();
    assertThatThrownBy(() -> ListQuery.oneOf(new JsonObject().put("kind", "loud"), "kind", kinds))
      .isInstanceOf(IllegalArgumentException.class).hasMessage("kind must be firing, repeat or resolved");
  }
}
