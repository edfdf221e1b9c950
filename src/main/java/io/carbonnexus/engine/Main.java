package io.carbonnexus.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/**
 * Command-line entry point: {@code java -jar carbon-nexus-engine.jar [--conf FILE]}. Exits with
 * status 1 and one readable line when start-up fails; Ctrl-C stops the engine cleanly.
 */
public final class Main {

  private static final String USAGE = "usage: carbon-nexus-engine [--conf FILE]   (default conf/config.yaml; "
    + "every key can also be set by a NEXUS_* environment variable, see README.md)";

  private Main() {
  }

  public static void main(String[] args) {
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
    Logger log = LoggerFactory.getLogger(Main.class);
    Engine.Options options;
    try {
      options = parseArguments(args);
    } catch (IllegalArgumentException e) {
      log.error("{}", e.getMessage());
      log.error(USAGE);
      System.exit(2);
      return;
    }
    if (options == null) {
      return;
    }
    // The hook goes in before start-up: Ctrl-C while the embedded database starts must stop it too.
    Engine engine = Engine.create(options);
    Runtime.getRuntime().addShutdownHook(new Thread(engine::close, "nexus-shutdown"));
    try {
      engine.startNode();
    } catch (StartupException e) {
      log.error("Start-up failed: {}", e.getMessage());
      log.debug("Start-up failure detail", e);
      System.exit(1);
      return;
    }
    log.info("Carbon Nexus engine is ready");
  }

  /** Returns null when the arguments only asked for help. */
  static Engine.Options parseArguments(String[] args) {
    Engine.Options options = Engine.Options.defaults();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        System.err.println(USAGE);
        return null;
      } else if (arg.startsWith("--conf=") || arg.startsWith("-conf=")) {
        options = withFile(options, arg.substring(arg.indexOf('=') + 1));
      } else if ((arg.equals("--conf") || arg.equals("-conf")) && i + 1 < args.length) {
        options = withFile(options, args[++i]);
      } else {
        throw new IllegalArgumentException("unknown argument: " + arg);
      }
    }
    return options;
  }

  private static Engine.Options withFile(Engine.Options options, String file) {
    return new Engine.Options(Path.of(file), true, options.env(), options.overrides());
  }
}
