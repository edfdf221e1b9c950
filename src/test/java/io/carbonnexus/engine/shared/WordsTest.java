package io.carbonnexus.engine.shared;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Error messages name their choices one way: "a", "a or b", "a, b or c". */
class WordsTest {

  @Test
  void choicesAreJoinedWithCommasAndALastOr() {
    assertThat(Words.either(List.of("open"))).isEqualTo("open");
    assertThat(Words.either(List.of("open", "resolved"))).isEqualTo("open or resolved");
    assertThat(Words.either(EntityType.wires())).isEqualTo("supplier, route or vehicle_type");
  }

  @Test
  void noChoiceIsAMistakeOfTheCaller() {
    assertThatThrownBy(() -> Words.either(List.of())).isInstanceOf(IllegalArgumentException.class);
  }
}
