package io.carbonnexus.engine.shared;

import java.util.List;

/** How choices are named in error messages, the same way everywhere. */
public final class Words {

  private Words() {
  }

  /** "a", "a or b", "a, b or c". */
  public static String either(List<String> words) {
    if (words.isEmpty()) {
      throw new IllegalArgumentException("no choices");
    }
    int last = words.size() - 1;
    return last == 0 ? words.get(0) : String.join(", ", words.subList(0, last)) + " or " + words.get(last);
  }
}
