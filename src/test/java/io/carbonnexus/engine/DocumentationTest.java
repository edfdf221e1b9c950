package io.carbonnexus.engine;

import io.carbonnexus.engine.config.ConfigKey;
import io.carbonnexus.engine.config.ConfigList;
import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.shared.Addresses;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The documentation is the user's contract: its tables must say what the code does. The README
 * links to them; the configuration table lives in docs/configuration.md, the bus table in
 * docs/event-bus.md.
 */
class DocumentationTest {

  private static String configurationDoc() throws Exception {
    return Files.readString(Path.of("docs/configuration.md"));
  }

  private static String eventBusDoc() throws Exception {
    return Files.readString(Path.of("docs/event-bus.md"));
  }

  @Test
  void theConfigurationTableListsEverySettingWithItsDefault() throws Exception {
    String doc = configurationDoc();
    for (ConfigKey<?> key : ConfigKeys.ALL) {
      String row = "| `" + key.envName() + "` | `" + key.path() + "` | " + documentedDefault(key) + " |";
      assertThat(doc).as("docs/configuration.md row for %s", key.path()).contains(row);
    }
  }

  @Test
  void theConfigurationTableListsEveryListSetting() throws Exception {
    String doc = configurationDoc();
    for (ConfigList list : ConfigKeys.LISTS) {
      assertThat(doc).as("docs/configuration.md row for %s", list.path())
        .contains("| *(list, YAML only)* | `" + list.path() + "` | `[]` |");
    }
  }

  @Test
  void theBusTableListsEveryAddress() throws Exception {
    String doc = eventBusDoc();
    for (Field f : Addresses.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
        assertThat(doc).as("docs/event-bus.md lists address %s", f.getName()).contains("| `" + f.get(null) + "` |");
      }
    }
  }

  private static String documentedDefault(ConfigKey<?> key) {
    Object value = key.defaultAsJson();
    if (value == null) {
      return "*(unset)*";
    }
    if (value instanceof Double d && d == Math.rint(d)) {
      return "`" + d.longValue() + "`";
    }
    return "`" + value + "`";
  }
}
