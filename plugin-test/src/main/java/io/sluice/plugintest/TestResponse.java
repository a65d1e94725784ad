package io.sluice.plugintest;

import io.sluice.spi.DirectResponse;
import io.sluice.spi.Response;

/**
 * A response head for {@link io.sluice.spi.Plugin#onResponse}: from the upstream
 * ({@link #fromUpstream}) or answered by the gateway or a plugin ({@link #fromGateway}). Like the
 * gateway's, its status may be changed ({@link #status(int)}, checked the same way) and it may be
 * replaced ({@link #replaceWith}); {@link #replacement()} tells a test what it was replaced with.
 */
public final class TestResponse implements Response {

  private int status;
  private final TestHeaders headers;
  private final boolean fromGateway;
  private DirectResponse replacement;

  /**
   * @param status the HTTP status
   * @param headers the response headers, which the hook may change
   * @param isFromGateway whether the gateway (or a plugin) produced it
   */
  public TestResponse(int status, TestHeaders headers, boolean isFromGateway) {
    this.status = status;
    this.headers = headers;
    this.fromGateway = isFromGateway;
  }

  /** A response with {@code status} from the upstream, without headers. */
  public static TestResponse fromUpstream(int status) {
    return new TestResponse(status, new TestHeaders(), false);
  }

  /** A response with {@code status} the gateway or a plugin answered with, without headers. */
  public static TestResponse fromGateway(int status) {
    return new TestResponse(status, new TestHeaders(), true);
  }

  @Override
  public int status() {
    return status;
  }

  /** Changes the status as the gateway would: a final status, 200 to 599, else {@link IllegalArgumentException}. */
  @Override
  public void status(int newStatus) {
    if (newStatus < 200 || newStatus > 599) {
      throw new IllegalArgumentException("response status " + newStatus + " (expected: a final status, 200 to 599)");
    }
    this.status = newStatus;
  }

  @Override
  public TestHeaders headers() {
    return headers;
  }

  @Override
  public boolean isFromGateway() {
    return fromGateway;
  }

  /** Records {@code answer} as what the client gets instead; its status becomes this response's. */
  @Override
  public void replaceWith(DirectResponse answer) {
    if (answer.isStreamed()) {
      throw new IllegalArgumentException("a streamed body cannot replace a response (expected: a body as text or bytes)");
    }
    this.replacement = answer;
    this.status = answer.status();
  }

  /** What a plugin replaced this response with ({@link #replaceWith}), or {@code null}. */
  public DirectResponse replacement() {
    return replacement;
  }
}
