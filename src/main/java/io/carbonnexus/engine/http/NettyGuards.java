package io.carbonnexus.engine.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import io.vertx.core.net.impl.ConnectionBase;

import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Two protections Vert.x 5.0 has no option for, installed on each new HTTP/1.1 connection's Netty
 * pipeline (the only place they can live):
 *
 * <ul>
 *   <li><b>Request framing</b> (RFC 9112 §6.1, §6.3): Netty serves a request that has both
 *   {@code Content-Length} and {@code Transfer-Encoding} by dropping the length, and reads a
 *   {@code Transfer-Encoding} it does not know as no body at all. Both are what request smuggling
 *   through a proxy is made of. The decoder is replaced by one that turns them into an invalid
 *   request, which the server answers 400 and closes.</li>
 *   <li><b>WebSocket message size</b>: Vert.x is configured not to close on a protocol
 *   violation, and a message over its size limit only raises an exception that the SockJS
 *   transport swallows, leaving the socket open and broken. A guard after the WebSocket decoder
 *   closes the connection with 1009 (message too big) instead.</li>
 * </ul>
 *
 * <p>This depends on Vert.x internals of 5.0.x: the pipeline handler named {@code httpDecoder}
 * (an {@link VertxHttpRequestDecoder}), the WebSocket decoder replacing it in place on upgrade,
 * and {@link ConnectionBase#channelHandlerContext()}. {@code ConnectionGuardIT} fails if either
 * protection stops working after an upgrade.
 */
final class NettyGuards {

  static final String DECODER = "httpDecoder";
  static final String WS_GUARD = "nexus-websocket-guard";

  private NettyGuards() {
  }

  /** False when this connection's pipeline is not the one this class knows (then nothing is changed). */
  static boolean install(HttpConnection connection, HttpServerOptions options, int maxWebSocketMessageBytes,
                         Consumer<String> onClose) {
    if (!(connection instanceof ConnectionBase base)) {
      return false;
    }
    ChannelPipeline pipeline = base.channelHandlerContext().pipeline();
    if (!(pipeline.get(DECODER) instanceof VertxHttpRequestDecoder)) {
      return false;
    }
    pipeline.replace(DECODER, DECODER, new StrictRequestDecoder(options));
    // Right after the decoder: on upgrade the WebSocket decoder takes the HTTP decoder's place, so
    // this guard then sees its frames and its exceptions first.
    pipeline.addAfter(DECODER, WS_GUARD, new WebSocketGuard(maxWebSocketMessageBytes, onClose));
    return true;
  }

  /** Raised for a request whose body length cannot be determined safely; becomes a 400. */
  static final class AmbiguousFramingException extends IllegalArgumentException {
    AmbiguousFramingException(String message) {
      super(message);
    }
  }

  static final class StrictRequestDecoder extends VertxHttpRequestDecoder {

    StrictRequestDecoder(HttpServerOptions options) {
      super(options);
    }

    /**
     * Netty asks this right after reading a message's headers, before it looks at its framing:
     * the place to refuse framing that two parsers could read differently. A throw here makes the
     * message invalid, and the rest of the connection's bytes are never parsed as a request.
     */
    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
      List<String> codings = msg.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
      if (!codings.isEmpty()) {
        if (msg.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
          throw new AmbiguousFramingException("a request may not have both Content-Length and Transfer-Encoding");
        }
        // Only plain chunked: the engine decodes no other transfer coding (RFC 9112 §6.1 lets it refuse them).
        if (codings.size() != 1 || !codings.get(0).trim().toLowerCase(Locale.ROOT).equals("chunked")) {
          throw new AmbiguousFramingException("Transfer-Encoding '" + String.join(", ", codings)
            + "' is not supported: only chunked");
        }
      }
      return super.isContentAlwaysEmpty(msg);
    }
  }

  /** Closes a WebSocket with 1009 when a message grows over the limit, or the decoder refused a frame. */
  static final class WebSocketGuard extends ChannelInboundHandlerAdapter {
    private final int maxMessageBytes;
    private final Consumer<String> onClose;
    private long messageBytes;
    private boolean closing;

    WebSocketGuard(int maxMessageBytes, Consumer<String> onClose) {
      this.maxMessageBytes = maxMessageBytes;
      this.onClose = onClose;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (closing) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame
        || msg instanceof ContinuationWebSocketFrame) {
        WebSocketFrame frame = (WebSocketFrame) msg;
        ByteBuf content = frame.content();
        messageBytes = (msg instanceof ContinuationWebSocketFrame ? messageBytes : 0) + content.readableBytes();
        if (messageBytes > maxMessageBytes) {
          ReferenceCountUtil.release(msg);
          close(ctx, WebSocketCloseStatus.MESSAGE_TOO_BIG, "message over " + maxMessageBytes / 1024 + " KiB");
          return;
        }
        if (frame.isFinalFragment()) {
          messageBytes = 0;
        }
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
        if (t instanceof CorruptedWebSocketFrameException corrupted) {
          WebSocketCloseStatus status = corrupted.closeStatus() == null ? WebSocketCloseStatus.PROTOCOL_ERROR
            : corrupted.closeStatus();
          close(ctx, status, status == WebSocketCloseStatus.MESSAGE_TOO_BIG
            ? "frame over " + maxMessageBytes / 1024 + " KiB" : "protocol error");
          return;
        }
      }
      ctx.fireExceptionCaught(cause);
    }

    private void close(ChannelHandlerContext ctx, WebSocketCloseStatus status, String reason) {
      if (closing) {
        return;
      }
      closing = true;
      onClose.accept("websocket_" + (status == WebSocketCloseStatus.MESSAGE_TOO_BIG ? "too_big" : "protocol_error"));
      // Handed to Vert.x as if the client had sent it: Vert.x answers a close with the same code and
      // reason, then closes the connection at once, and the WebSocket (the bridge's SockJS socket)
      // ends as a clean close. Writing the frame and closing the channel from here does neither:
      // Vert.x turns a channel close into its own closing handshake (a second close frame, 1000),
      // then waits its closing timeout (10 s) for an answer this guard swallows, and reports the
      // close as a failure, which the bridge logs as an error with a stack trace.
      ctx.fireChannelRead(new CloseWebSocketFrame(status.code(), reason));
    }
  }
}
