package io.carbonnexus.engine.support;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A headless Chromium driven over the Chrome DevTools Protocol, for tests that load the dashboard
 * as a user would. One browser, one page; everything it starts (processes, temporary profile) is
 * gone after {@link #close}. The CDP client is a few lines on Vert.x's WebSocket client: requests
 * {@code {id, method, params}}, replies matched by id, events of the page's session collected.
 */
public final class Chromium implements AutoCloseable {

  /** Names the browser binary; when set, no other place is searched (a wrong path means no browser). */
  public static final String ENV = "CHROMIUM";
  static final List<String> DEFAULT_CANDIDATES = List.of(
    "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome");

  private static final Pattern DEVTOOLS_URL = Pattern.compile("DevTools listening on (ws://\\S+)");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
  /** A full-page PNG in base64 can be megabytes; CDP sends it as one message. */
  private static final int MAX_MESSAGE = 64 * 1024 * 1024;

  private final Path home;
  private final Process process;
  private final Thread reaper;
  private final Vertx vertx;
  private final WebSocketClient client;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Map<Integer, Promise<JsonObject>> pending = new ConcurrentHashMap<>();
  private final List<String> exceptions = new CopyOnWriteArrayList<>();
  private final List<String> consoleErrors = new CopyOnWriteArrayList<>();
  private final List<String> logErrors = new CopyOnWriteArrayList<>();
  private volatile String sessionId;
  private volatile String targetId;

  /** The binary to use: {@value #ENV} if set, else the first of the usual Debian/Chrome paths. */
  public static Optional<Path> find() {
    return candidates().stream().map(Path::of).filter(Files::isExecutable).findFirst();
  }

  /** Why {@link #find} found nothing, in words a developer can act on; the reason a test is skipped. */
  public static String notFoundMessage() {
    return "no Chromium found at " + String.join(", ", candidates())
      + " (set CHROMIUM or install Debian's chromium; .ci/run installs it)";
  }

  private static List<String> candidates() {
    String env = System.getenv(ENV);
    return env == null || env.isBlank() ? DEFAULT_CANDIDATES : List.of(env.trim());
  }

  /** Starts the browser and opens one blank page; fails (does not skip) when a binary exists but cannot start. */
  public static Chromium launch(Path binary) {
    Path home = null;
    Process process = null;
    try {
      home = Files.createTempDirectory("nexus-chromium");
      Path stderr = home.resolve("stderr.log");
      process = new ProcessBuilder(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + home.resolve("profile"), "--remote-debugging-port=0", "--window-size=1400,1000",
        "about:blank")
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        // A file, not a pipe: the DevTools line is read by polling it, and Chrome never blocks on a full pipe.
        .redirectError(stderr.toFile())
        .start();
      String url = devToolsUrl(process, stderr);
      return new Chromium(home, process, url);
    } catch (Exception e) {
      kill(process);
      deleteQuietly(home);
      throw new IllegalStateException("cannot start " + binary + ": " + e.getMessage(), e);
    }
  }

  private Chromium(Path home, Process process, String browserUrl) {
    this.home = home;
    this.process = process;
    // If a test JVM ends without close(), the browser must not outlive it.
    this.reaper = new Thread(() -> kill(process), "chromium-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
    this.vertx = Vertx.vertx();
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
      .setMaxFrameSize(MAX_MESSAGE).setMaxMessageSize(MAX_MESSAGE));
    try {
      // Chrome refuses DevTools connections that carry an Origin it was not told to allow.
      this.socket = client.connect(new WebSocketConnectOptions().setAbsoluteURI(browserUrl).setAllowOriginHeader(false))
        .await();
      socket.textMessageHandler(this::onMessage);
      socket.closeHandler(v -> failPending(new IllegalStateException("the DevTools connection closed")));
      targetId = call("Target.createTarget", new JsonObject().put("url", "about:blank")).getString("targetId");
      sessionId = call("Target.attachToTarget", new JsonObject().put("targetId", targetId).put("flatten", true))
        .getString("sessionId");
      page("Runtime.enable", new JsonObject());
      page("Page.enable", new JsonObject());
      page("Log.enable", new JsonObject());
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Loads {@code url} in the page; fails when the browser cannot reach it. Does not wait for scripts. */
  public void navigate(String url) {
    JsonObject result = page("Page.navigate", new JsonObject().put("url", url));
    String error = result.getString("errorText");
    if (error != null && !error.isEmpty()) {
      throw new AssertionError("the browser could not load " + url + ": " + error);
    }
  }

  /** Lays the page out at {@code width} × {@code height} CSS pixels, as a phone (narrower than 600 px) or a desktop. */
  public void viewport(int width, int height) {
    page("Emulation.setDeviceMetricsOverride", new JsonObject().put("width", width).put("height", height)
      .put("deviceScaleFactor", 1).put("mobile", width < 600));
  }

  /** Evaluates a JavaScript expression in the page and returns its value (JSON-serialisable values only). */
  public Object evaluate(String expression) {
    JsonObject result = page("Runtime.evaluate", new JsonObject().put("expression", expression)
      .put("returnByValue", true).put("awaitPromise", true));
    JsonObject details = result.getJsonObject("exceptionDetails");
    if (details != null) {
      throw new IllegalStateException("`" + expression + "` threw: " + describe(details));
    }
    return result.getJsonObject("result", new JsonObject()).getValue("value");
  }

  /**
   * Polls {@code expression} until it is {@code true}; fails with {@code what} after {@code timeout}.
   * Errors while the page is (re)loading count as "not yet": the last one is in the failure message.
   */
  public void waitUntil(String what, String expression, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = null;
    while (true) {
      try {
        Object value = evaluate(expression);
        if (Boolean.TRUE.equals(value)) {
          return;
        }
        last = "last value " + Json.encode(value);
      } catch (IllegalStateException e) {
        last = e.getMessage();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + timeout + " (" + last + ")" + diagnostics());
      }
      Thread.sleep(POLL_INTERVAL.toMillis());
    }
  }

  /** Types {@code text} into the focused element as a keyboard would: the page sees its input events. */
  public void type(String text) {
    page("Input.insertText", new JsonObject().put("text", text));
  }

  /** Clicks the middle of the first element matching {@code selector} with the mouse, as a user would. */
  public void click(String selector) {
    Object box = evaluate("(() => { const e = document.querySelector(" + Json.encode(selector) + ");"
      + " if (!e) return null; e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
      + " return r.width > 0 && r.height > 0 ? {x: r.x + r.width / 2, y: r.y + r.height / 2} : null; })()");
    if (!(box instanceof JsonObject point)) {
      throw new AssertionError("nothing visible to click at " + selector + diagnostics());
    }
    for (String type : List.of("mousePressed", "mouseReleased")) {
      page("Input.dispatchMouseEvent", new JsonObject().put("type", type).put("button", "left").put("clickCount", 1)
        .put("x", ((Number) point.getValue("x")).doubleValue()).put("y", ((Number) point.getValue("y")).doubleValue()));
    }
  }

  /**
   * The page's accessibility tree as assistive technology gets it: "role: name" for every node
   * that has a name and is not ignored (e.g. {@code "textbox: Access token"}), text runs left out.
   */
  public List<String> accessibleNames() {
    JsonArray nodes = page("Accessibility.getFullAXTree", new JsonObject()).getJsonArray("nodes", new JsonArray());
    List<String> names = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      JsonObject node = nodes.getJsonObject(i);
      String name = node.getJsonObject("name", new JsonObject()).getString("value");
      String role = node.getJsonObject("role", new JsonObject()).getString("value");
      if (!node.getBoolean("ignored", false) && name != null && !name.isBlank()
        && !"StaticText".equals(role) && !"InlineTextBox".equals(role)) {
        names.add(role + ": " + name.trim());
      }
    }
    return names;
  }

  /** Saves a PNG of the visible page to {@code file}, creating its directory. */
  public Path screenshot(Path file) throws IOException {
    String data = page("Page.captureScreenshot", new JsonObject().put("format", "png")).getString("data");
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, Base64.getDecoder().decode(data));
    return file;
  }

  /** Uncaught exceptions and unhandled promise rejections in the page, as "message (url:line)". */
  public List<String> exceptions() {
    return List.copyOf(exceptions);
  }

  /** {@code console.error} and {@code console.assert} calls of the page. */
  public List<String> consoleErrors() {
    return List.copyOf(consoleErrors);
  }

  /** Errors the browser itself logged for the page: resources that failed to load, blocked requests. */
  public List<String> logErrors() {
    return List.copyOf(logErrors);
  }

  /** Everything the page reported, for failure messages. */
  public String diagnostics() {
    return "; exceptions " + exceptions + "; console errors " + consoleErrors + "; browser log errors " + logErrors;
  }

  /** Kills the whole process tree and deletes the profile. Safe to call twice. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (targetId != null) {
      try {
        // Close the tab as a user would: its WebSockets close cleanly, so the server under test
        // logs no broken connection (after a mere navigation away, Chrome kept the socket open).
        send("Target.closeTarget", new JsonObject().put("targetId", targetId), null, CLOSE_TIMEOUT);
      } catch (RuntimeException ignored) {
        // a hung or dead browser is killed below anyway
      }
    }
    try {
      if (client != null) {
        client.close().await(5, TimeUnit.SECONDS);
      }
    } catch (Exception ignored) {
      // the browser is killed next anyway
    }
    try {
      if (vertx != null) {
        vertx.close().await(5, TimeUnit.SECONDS);
      }
    } catch (Exception ignored) {
      // a Vert.x that does not close in time only leaks threads of this test JVM
    }
    kill(process);
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException ignored) {
      // the JVM is already shutting down: the hook runs (harmlessly) on a dead process
    }
    deleteQuietly(home);
  }

  private JsonObject page(String method, JsonObject params) {
    return send(method, params, sessionId, CALL_TIMEOUT);
  }

  private JsonObject call(String method, JsonObject params) {
    return send(method, params, null, CALL_TIMEOUT);
  }

  private JsonObject send(String method, JsonObject params, String session, Duration timeout) {
    int id = ids.incrementAndGet();
    Promise<JsonObject> reply = Promise.promise();
    pending.put(id, reply);
    JsonObject message = new JsonObject().put("id", id).put("method", method).put("params", params);
    if (session != null) {
      message.put("sessionId", session);
    }
    Future<JsonObject> answer = reply.future().timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
      .onComplete(r -> pending.remove(id));
    socket.writeTextMessage(message.encode());
    try {
      return answer.await();
    } catch (RuntimeException e) {
      throw new IllegalStateException(method + " failed: " + e.getMessage(), e);
    }
  }

  private void onMessage(String text) {
    JsonObject message = new JsonObject(text);
    Integer id = message.getInteger("id");
    if (id != null) {
      Promise<JsonObject> reply = pending.remove(id);
      if (reply != null) {
        JsonObject error = message.getJsonObject("error");
        if (error != null) {
          reply.tryFail(error.getString("message") + " (" + error.getInteger("code") + ")");
        } else {
          reply.tryComplete(message.getJsonObject("result", new JsonObject()));
        }
      }
      return;
    }
    JsonObject params = message.getJsonObject("params", new JsonObject());
    switch (message.getString("method", "")) {
      case "Runtime.exceptionThrown" -> exceptions.add(describe(params.getJsonObject("exceptionDetails")));
      case "Runtime.consoleAPICalled" -> {
        String type = params.getString("type");
        if ("error".equals(type) || "assert".equals(type)) {
          consoleErrors.add(type + ": " + arguments(params.getJsonArray("args", new JsonArray())));
        }
      }
      case "Log.entryAdded" -> {
        JsonObject entry = params.getJsonObject("entry", new JsonObject());
        if ("error".equals(entry.getString("level"))) {
          logErrors.add(entry.getString("text") + (entry.containsKey("url") ? " (" + entry.getString("url") + ")" : ""));
        }
      }
      default -> { }
    }
  }

  private static String describe(JsonObject details) {
    JsonObject exception = details.getJsonObject("exception");
    String text = exception != null && exception.getString("description") != null
      ? exception.getString("description") : details.getString("text");
    return text + " (" + details.getString("url", "?") + ":" + details.getInteger("lineNumber", -1) + ")";
  }

  private static String arguments(JsonArray args) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      JsonObject arg = args.getJsonObject(i);
      Object value = arg.getValue("value");
      parts.add(value != null ? String.valueOf(value) : arg.getString("description", arg.getString("type")));
    }
    return String.join(" ", parts);
  }

  private void failPending(Throwable cause) {
    pending.values().forEach(p -> p.tryFail(cause));
  }

  private static String devToolsUrl(Process process, Path stderr) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      String log = Files.exists(stderr) ? Files.readString(stderr, StandardCharsets.UTF_8) : "";
      Matcher m = DEVTOOLS_URL.matcher(log);
      if (m.find()) {
        return m.group(1);
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("it exited with status " + process.exitValue() + ": " + tail(log));
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("no DevTools URL on its stderr within " + START_TIMEOUT + ": "
      + tail(Files.readString(stderr, StandardCharsets.UTF_8)));
  }

  private static String tail(String log) {
    return log.length() <= 2000 ? log : "..." + log.substring(log.length() - 2000);
  }

  /** The renderer, GPU and zygote processes first (they are reparented once the browser dies), then the browser. */
  private static void kill(Process process) {
    if (process == null) {
      return;
    }
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    tree.add(process.toHandle());
    tree.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    for (ProcessHandle p : tree) {
      while (p.isAlive() && System.nanoTime() < deadline) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try {
      TempDirs.deleteRecursively(dir);
    } catch (IOException | RuntimeException ignored) {
      // a leftover profile in the temp directory is harmless
    }
  }
}
