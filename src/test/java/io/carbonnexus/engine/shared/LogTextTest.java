package io.carbonnexus.engine.shared;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Text from outside, made safe for one log line. */
class LogTextTest {

  @Test
  void lineBreaksBecomeVisibleEscapes() {
    assertThat(LogText.safe("GET /x\nINFO forged\r\nWARN too")).isEqualTo("GET /x\\nINFO forged\\r\\nWARN too");
  }

  @Test
  void everyOtherControlCharacterIsEscapedAsAUnicodeEscape() {
    assertThat(LogText.safe("a\u0000b")).isEqualTo("a\\u0000b");
    assertThat(LogText.safe("\u001b[31mred")).isEqualTo("\\u001b[31mred"); // a terminal colour escape
    assertThat(LogText.safe("x\u007fy\u0085z")).isEqualTo("x\\u007fy\\u0085z"); // DEL, and NEL: a C1 line break
    assertThat(LogText.safe("one\u2028two\u2029three")).isEqualTo("one\\u2028two\\u2029three");
  }

  @Test
  void aTabIsEscapedToo() {
    // A tab forges no line, but it does forge a field in a tab-separated log.
    assertThat(LogText.safe("entity\tlevel=critical")).isEqualTo("entity\\tlevel=critical");
  }

  @Test
  void plainTextIsReturnedAsItIs() {
    String plain = "Supplier A exceeded emissions by 120% (Müller Spedition – Köln, 東京, \"quoted\", back\\slash)";
    assertThat(LogText.safe(plain)).isSameAs(plain);
    assertThat(LogText.safe("")).isEmpty();
    assertThat(LogText.safe(null)).isNull();
  }

  @Test
  void noEscapedTextContainsALineBreakWhateverItWas() {
    StringBuilder every = new StringBuilder();
    for (char c = 0; c < 0x3000; c++) {
      every.append(c);
    }
    String safe = LogText.safe(every.toString());
    assertThat(safe).doesNotContain("\n", "\r", "\u0085", "\u2028", "\u2029", "\u000b", "\u000c");
    assertThat(safe.chars().filter(Character::isISOControl).count()).isZero();
  }
}
