package io.carbonnexus.engine;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.status.Status;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The production {@code logback.xml} (not the tests' configuration), loaded into a logger context
 * of its own: whatever a message carries, it prints one line.
 */
class LogbackConfigTest {

  private static final Path PRODUCTION = Path.of("src/main/resources/logback.xml");

  @Test
  void aMessageWithALineBreakPrintsOneLineWithTheBreakEscaped() throws Exception {
    List<String> lines = printed("Unknown vehicle type 'hgv\nFAKE LINE' in event 42");
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).contains("INFO", "hgv\\nFAKE LINE' in event 42");
  }

  @Test
  void anArgumentWithALineBreakIsEscapedToo() throws Exception {
    List<String> lines = printed("no such endpoint: GET {}", "/x\r\n12:00:00.000 ERROR Engine FAKE LINE");
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).endsWith("GET /x\\r\\n12:00:00.000 ERROR Engine FAKE LINE");
  }

  /** What the production configuration prints to its console appender for one INFO message. */
  private static List<String> printed(String message, Object... arguments) throws Exception {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter()); // what logback's own initialisation would give it
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    try {
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(PRODUCTION.toUri().toURL());
      Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
      List<ConsoleAppender<ILoggingEvent>> consoles = new ArrayList<>();
      root.iteratorForAppenders().forEachRemaining(a -> {
        if (a instanceof ConsoleAppender<ILoggingEvent> c) {
          consoles.add(c);
        }
      });
      assertThat(consoles).as("the production configuration logs to the console").hasSize(1);
      // The same appender, encoder and pattern, writing here instead of to System.out.
      consoles.get(0).setOutputStream(console);
      context.getLogger("io.carbonnexus.engine.prediction.PredictionVerticle").info(message, arguments);
      assertThat(context.getStatusManager().getCopyOfStatusList()).as("logback.xml loads and logs without errors")
        .noneMatch(s -> s.getLevel() >= Status.WARN);
    } finally {
      context.stop();
    }
    return console.toString(StandardCharsets.UTF_8).lines().toList();
  }
}
