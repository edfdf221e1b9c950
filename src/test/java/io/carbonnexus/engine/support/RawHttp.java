package io.carbonnexus.engine.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * One TCP connection to the engine, bytes exactly as written: for what an HTTP client library
 * refuses to send (two framings, unfinished bodies, slow heads) and for watching when the server
 * closes the connection.
 */
public final class RawHttp implements AutoCloseable {

  private final Socket socket;
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();

  public RawHttp(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setTcpNoDelay(true);
  }

  public RawHttp write(String text) throws IOException {
    return write(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  public RawHttp write(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
    return this;
  }

  /**
   * Reads until the server closes the connection or {@code timeoutMs} pass; true when it closed
   * (a reset counts as closed). Everything read is kept for {@link #received()}.
   */
  public boolean closedWithin(long timeoutMs) throws IOException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[8192];
    while (true) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        return false;
      }
      socket.setSoTimeout((int) Math.max(1, left));
      try {
        int n = in.read(buffer);
        if (n < 0) {
          return true;
        }
        received.write(buffer, 0, n);
      } catch (SocketTimeoutException e) {
        return false;
      } catch (IOException e) {
        return true;
      }
    }
  }

  /** Reads until a whole response (head and Content-Length body) has arrived, or fails after {@code timeoutMs}. */
  public String response(long timeoutMs) throws IOException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[8192];
    while (!complete()) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        throw new IOException("no whole response within " + timeoutMs + " ms; got: " + received());
      }
      socket.setSoTimeout((int) Math.max(1, left));
      int n = in.read(buffer);
      if (n < 0) {
        break;
      }
      received.write(buffer, 0, n);
    }
    return received();
  }

  private boolean complete() {
    String text = received();
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      return false;
    }
    String head = text.substring(0, end).toLowerCase();
    int at = head.indexOf("content-length:");
    if (at < 0) {
      return true;
    }
    int lineEnd = head.indexOf("\r\n", at);
    int length = Integer.parseInt(head.substring(at + 15, lineEnd < 0 ? head.length() : lineEnd).trim());
    return text.getBytes(StandardCharsets.ISO_8859_1).length >= end + 4 + length;
  }

  /** Everything the server sent so far, as text. */
  public String received() {
    return received.toString(StandardCharsets.UTF_8);
  }

  /** The status code of the first response received, or -1. */
  public int status() {
    String text = received();
    // HTTP/1.0 too: the answer to a request line the decoder could not read has no version to echo.
    return text.matches("(?s)HTTP/1\\.[01] \\d{3}.*") ? Integer.parseInt(text.substring(9, 12)) : -1;
  }

  /** How many responses the server has sent so far. */
  public int responses() {
    String text = received();
    int count = 0;
    for (int i = text.indexOf("HTTP/1."); i >= 0; i = text.indexOf("HTTP/1.", i + 1)) {
      if (i == 0 || text.startsWith("\r\n", i - 2)) {
        count++;
      }
    }
    return count;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
