package io.sluice.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * Raw bytes over a socket, for requests no well-behaved client would send. {@link #send}
 * writes the bytes and reads until the server closes the connection or goes quiet.
 */
public final class RawHttp {

  private final int port;

  RawHttp(int port) {
    this.port = port;
  }

  /** Sends {@code request} and returns everything the server answered until it closed or 2 s passed quietly. */
  public Response send(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(2000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return read(socket.getInputStream());
    }
  }

  /** Opens a connection to keep (keep-alive and pipelining tests). */
  public Socket open() throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(3000);
    return socket;
  }

  static Response read(InputStream in) throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    boolean closed = false;
    try {
      int n;
      while ((n = in.read(chunk)) >= 0) {
        buffer.write(chunk, 0, n);
      }
      closed = true;
    } catch (SocketTimeoutException e) {
      closed = false;
    } catch (IOException e) {
      closed = true; // reset by peer counts as closed
    }
    return new Response(buffer.toString(StandardCharsets.ISO_8859_1), closed);
  }

  /**
   * What came back.
   *
   * @param text the bytes, as ISO-8859-1
   * @param closed whether the server closed the connection
   */
  public record Response(String text, boolean closed) {

    /** The status code of the first response, or -1 when nothing came back. */
    public int status() {
      if (!text.startsWith("HTTP/1.1 ")) {
        return -1;
      }
      return Integer.parseInt(text.substring(9, 12));
    }

    /** How many responses (status lines) came back. */
    public int responseCount() {
      int count = 0;
      for (int i = text.indexOf("HTTP/1.1 "); i >= 0; i = text.indexOf("HTTP/1.1 ", i + 1)) {
        count++;
      }
      return count;
    }
  }
}
