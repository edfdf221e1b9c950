package io.carbonnexus.engine;

import io.carbonnexus.engine.shared.LogText;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %safeMsg} in {@code logback.xml}: the formatted message with control characters escaped
 * ({@link LogText#safe}), so that nothing a client sends can start a log line of its own.
 */
public final class SafeMessageConverter extends ClassicConverter {

  @Override
  public String convert(ILoggingEvent event) {
    return LogText.safe(event.getFormattedMessage());
  }
}
