package io.sluice.testing;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * HTTP/2 frames written by hand on a plain socket, for abuse tests a well-behaved client library
 * refuses to send (rapid resets, floods of CONTINUATION frames, too many streams). Header blocks
 * use HPACK literals without indexing or Huffman coding, which every decoder must accept.
 */
public final class RawH2 implements AutoCloseable {

  public static final int DATA = 0x0;
  public static final int HEADERS = 0x1;
  public static final int RST_STREAM = 0x3;
  public static final int SETTINGS = 0x4;
  public static final int GOAWAY = 0x7;
  public static final int WINDOW_UPDATE = 0x8;
  public static final int CONTINUATION = 0x9;

  public static final int END_STREAM = 0x1;
  public static final int END_HEADERS = 0x4;

  /** A frame as read: type, flags, stream id and payload. */
  public record Frame(int type, int flags, int streamId, byte[] payload) {
    /** The error code of a RST_STREAM or GOAWAY frame. */
    public int errorCode() {
      int offset = type == GOAWAY ? 4 : 0;
      return ((payload[offset] & 0xff) << 24) | ((payload[offset + 1] & 0xff) << 16) | ((payload[offset + 2] & 0xff) << 8)
          | (payload[offset + 3] & 0xff);
    }
  }

  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;

  /**
   * Connects and sends the client preface and an empty SETTINGS frame. Frames are buffered until
   * {@link #flush()}, so that what a test writes between flushes reaches the server in one piece.
   */
  public RawH2(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    in = new DataInputStream(socket.getInputStream());
    out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    frame(SETTINGS, 0, 0, new byte[0]);
    flush();
  }

  /** The client's side of the connection as the server sees it: {@code 127.0.0.1:port}. */
  public String localAddress() {
    return "127.0.0.1:" + socket.getLocalPort();
  }

  /** A header block for a request (pseudo-headers first, then {@code extra}). */
  public static byte[] requestBlock(String method, String path, Map<String, String> extra) {
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    literal(block, ":method", method);
    literal(block, ":scheme", "http");
    literal(block, ":path", path);
    literal(block, ":authority", "localhost");
    extra.forEach((name, value) -> literal(block, name, value));
    return block.toByteArray();
  }

  /** One HPACK "literal header field without indexing, new name". */
  public static void literal(ByteArrayOutputStream block, String name, String value) {
    block.write(0x00);
    string(block, name.getBytes(StandardCharsets.US_ASCII));
    string(block, value.getBytes(StandardCharsets.US_ASCII));
  }

  private static void string(ByteArrayOutputStream block, byte[] bytes) {
    int length = bytes.length;
    if (length < 127) {
      block.write(length);
    } else {
      block.write(127);
      length -= 127;
      while (length >= 128) {
        block.write((length & 0x7f) | 0x80);
        length >>>= 7;
      }
      block.write(length);
    }
    block.writeBytes(bytes);
  }

  public void headers(int streamId, byte[] block, boolean endStream) throws IOException {
    frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), streamId, block);
  }

  public void rstStream(int streamId, int errorCode) throws IOException {
    frame(RST_STREAM, 0, streamId, new byte[] {
        (byte) (errorCode >>> 24), (byte) (errorCode >>> 16), (byte) (errorCode >>> 8), (byte) errorCode});
  }

  public void windowUpdate(int streamId, int increment) throws IOException {
    frame(WINDOW_UPDATE, 0, streamId, new byte[] {
        (byte) (increment >>> 24), (byte) (increment >>> 16), (byte) (increment >>> 8), (byte) increment});
  }

  /** Any frame. */
  public void frame(int type, int flags, int streamId, byte[] payload) throws IOException {
    int length = payload.length;
    out.write(new byte[] {(byte) (length >>> 16), (byte) (length >>> 8), (byte) length, (byte) type, (byte) flags,
        (byte) (streamId >>> 24), (byte) (streamId >>> 16), (byte) (streamId >>> 8), (byte) streamId});
    out.write(payload);
  }

  public void flush() throws IOException {
    out.flush();
  }

  /**
   * Reads frames until the server closes the connection or {@code timeoutMillis} pass without
   * one. Writes that fail because the server already closed are the expected end, not an error.
   */
  public List<Frame> readUntilClosed(int timeoutMillis) throws IOException {
    socket.setSoTimeout(timeoutMillis);
    List<Frame> frames = new ArrayList<>();
    try {
      while (true) {
        frames.add(read());
      }
    } catch (EOFException | SocketTimeoutException | java.net.SocketException end) {
      return frames;
    }
  }

  /** Reads frames until one of {@code type} arrives (returned), or the connection ends (null). */
  public Frame readUntil(int type, int timeoutMillis) throws IOException {
    socket.setSoTimeout(timeoutMillis);
    try {
      while (true) {
        Frame frame = read();
        if (frame.type() == type) {
          return frame;
        }
      }
    } catch (EOFException | SocketTimeoutException | java.net.SocketException end) {
      return null;
    }
  }

  private Frame read() throws IOException {
    int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
    int type = in.readUnsignedByte();
    int flags = in.readUnsignedByte();
    int streamId = in.readInt() & 0x7fffffff;
    byte[] payload = new byte[length];
    in.readFully(payload);
    return new Frame(type, flags, streamId, payload);
  }

  /**
   * Reads frames up to and including the first one {@code last} accepts, and returns them all; when the
   * connection ends or {@code timeoutMillis} pass without a frame first, returns what was read.
   */
  public List<Frame> readThrough(Predicate<Frame> last, int timeoutMillis) throws IOException {
    socket.setSoTimeout(timeoutMillis);
    List<Frame> frames = new ArrayList<>();
    try {
      Frame frame;
      do {
        frame = read();
        frames.add(frame);
      } while (!last.test(frame));
    } catch (EOFException | SocketTimeoutException | java.net.SocketException end) {
      // the caller sees that the last frame is not the one it waited for
    }
    return frames;
  }

  /** Whether the server closed the connection (a read sees the end of the stream). */
  public boolean isClosedByServer(int timeoutMillis) throws IOException {
    socket.setSoTimeout(timeoutMillis);
    try {
      while (true) {
        read();
      }
    } catch (EOFException | java.net.SocketException closed) {
      return true;
    } catch (SocketTimeoutException open) {
      return false;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
