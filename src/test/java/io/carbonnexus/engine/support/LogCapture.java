package io.carbonnexus.engine.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;

/** What a logger said during a test, at every level it passes on. */
public final class LogCapture implements AutoCloseable {

  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Level previousLevel;
  private final boolean opened;

  public LogCapture(Class<?> source) {
    this(source.getName());
  }

  /** A logger by name: {@link org.slf4j.Logger#ROOT_LOGGER_NAME} hears every logger, libraries included. */
  public LogCapture(String loggerName) {
    this(loggerName, null);
  }

  /**
   * A logger by name, opened down to {@code level} while the capture lasts (the test configuration
   * keeps the engine's loggers at WARN): for an INFO line a test checks.
   */
  public LogCapture(String loggerName, Level level) {
    logger = (Logger) LoggerFactory.getLogger(loggerName);
    previousLevel = logger.getLevel();
    opened = level != null;
    if (opened) {
      logger.setLevel(level);
    }
    appender.start();
    logger.addAppender(appender);
  }

  public List<String> messages() {
    return events().stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
  }

  /** The events themselves (level, logger, stack trace), oldest first: a copy, safe to iterate while logging goes on. */
  public List<ILoggingEvent> events() {
    // AppenderBase.doAppend holds the appender's lock while it adds to the list.
    synchronized (appender) {
      return List.copyOf(appender.list);
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    if (opened) {
      logger.setLevel(previousLevel);
    }
  }
}
