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

/** The README is the user's contract: its tables must say what the code does. */
class DocumentationTest {

  private static String readme() throws Exception {
    return Files.readString(Path.of("README.md"));
  }

  @Test
  void theConfigurationTableListsEverySettingWithItsDefault() throws Exception {
    String readme = readme();
    for (ConfigKey<?> key : ConfigKeys.ALL) {
      String row = "| `" + key.envName() + "` | `" + key.path() + "` | " + documentedDefault(key) + " |";
      assertThat(readme).as("README row for %s", key.path()).contains(row);
    }
  }

  @Test
  void theConfigurationTableListsEveryListSetting() throws Exception {
    String readme = readme();
    for (ConfigList list : ConfigKeys.LISTS) {
      assertThat(readme).as("README row for %s", list.path())
        .contains("| *(list, YAML only)* | `" + list.path() + "` | `[]` |");
    }
  }

  @Test
  void theBusTableListsEveryAddress() throws Exception {
    String readme = readme();
    for (Field f : Addresses.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
        assertThat(readme).as("README lists address %s", f.getName()).contains("| `" + f.get(null) + "` |");
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
