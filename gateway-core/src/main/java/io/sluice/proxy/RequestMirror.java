package io.sluice.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.sluice.upstream.ResponseListener;
import io.sluice.upstream.UpstreamCluster;
import io.sluice.upstream.UpstreamConnection;
import io.sluice.upstream.UpstreamFailure;
import io.sluice.upstream.UpstreamPool;
import io.sluice.upstream.UpstreamPools;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * A copy of one request on its way to a mirror upstream, whose answer is read and thrown away.
 * The copy shares the request body's buffers (retained duplicates, never copied bytes) and holds
 * them until the body is complete, up to a bound: a body that grows past it is not mirrored.
 * Only then does the copy ask for a connection, so nothing about the mirror (a slow or dead
 * upstream, a full pool) can hold up the request it copies. Runs on the exchange's event loop.
 */
final class RequestMirror implements UpstreamPool.Acquirer, ResponseListener {

  /** How a mirrored request ended, for {@code sluice_mirror_requests_total{result}}. */
  enum Result { COMPLETED, FAILED, SKIPPED }

  private final UpstreamCluster cluster;
  private final UpstreamPools pools;
  private final HttpRequest head;
  private final long maxBodyBytes;
  private final Consumer<Result> outcome;
  private ArrayDeque<ByteBuf> body;
  private long bodyBytes;
  private HttpHeaders trailers;
  private boolean done;
  private boolean pending;
  private UpstreamPool pool;
  private UpstreamConnection connection;

  /**
   * @param head the request as the primary upstream gets it (its own header object)
   * @param outcome told once how the copy ended
   */
  RequestMirror(UpstreamCluster cluster, UpstreamPools pools, HttpRequest head, long maxBodyBytes, Consumer<Result> outcome) {
    this.cluster = cluster;
    this.pools = pools;
    this.head = head;
    this.maxBodyBytes = maxBodyBytes;
    this.outcome = outcome;
  }

  /** A piece of the request body; the caller keeps its buffer (the copy takes a retained duplicate). */
  void onBody(ByteBuf content) {
    if (done) {
      return;
    }
    bodyBytes += content.readableBytes();
    if (bodyBytes > maxBodyBytes) {
      end(Result.SKIPPED);
      return;
    }
    if (body == null) {
      body = new ArrayDeque<>();
    }
    body.add(content.retainedDuplicate());
  }

  /** The request is complete: the copy goes out. */
  void onEnd(HttpHeaders requestTrailers) {
    if (done || connection != null || pending) {
      return;
    }
    trailers = requestTrailers;
    if (!cluster.startPending()) {
      end(Result.SKIPPED); // the mirror's own max_pending_requests: never a queue behind a slow mirror
      return;
    }
    pending = true;
    pool = pools.pool(cluster.balancer().pick(pools), cluster.config());
    pool.acquire(cluster.poolSettings(), this);
  }

  /** The request it copies failed before its end: the copy is dropped. */
  void abandon() {
    if (!done && connection == null && !pending) {
      end(Result.SKIPPED);
    }
  }

  @Override
  public void onAcquired(UpstreamConnection acquired) {
    endPending();
    if (done) {
      pool.requestDone();
      acquired.returnUnused();
      return;
    }
    connection = acquired;
    connection.bind(this);
    Channel channel = connection.channel();
    channel.write(head, channel.voidPromise());
    ByteBuf content;
    while (body != null && (content = body.poll()) != null) {
      channel.write(new DefaultHttpContent(content), channel.voidPromise());
    }
    LastHttpContent last = trailers == null || trailers.isEmpty() ? LastHttpContent.EMPTY_LAST_CONTENT
        : new DefaultLastHttpContent(channel.alloc().buffer(0), trailers);
    channel.writeAndFlush(last, channel.voidPromise());
    // the whole answer, not just its head, within the mirror's response timeout: a mirror that
    // trickles its body must not keep a connection forever
    connection.responseTimer().arm(cluster.config().timeouts().response().toNanos(), () -> {
      if (!done) {
        connection.discard();
        pool.requestDone();
        end(Result.FAILED);
      }
    });
  }

  @Override
  public void onAcquireFailed(UpstreamFailure failure) {
    endPending();
    end(Result.FAILED);
  }

  @Override
  public void onResponseHead(HttpResponse response) {
    // thrown away: the client has the primary's answer
  }

  @Override
  public void onResponseBody(ByteBuf content) {
    content.release();
  }

  @Override
  public void onResponseEnd(HttpHeaders responseTrailers) {
    if (done) {
      return;
    }
    connection.responseTimer().disarm();
    connection.release();
    pool.requestDone();
    end(Result.COMPLETED);
  }

  @Override
  public void onReadComplete() {}

  @Override
  public void onWritabilityChanged(boolean writable) {}

  @Override
  public void onFailure(UpstreamFailure failure) {
    if (done) {
      return;
    }
    connection.discard();
    pool.requestDone();
    end(Result.FAILED);
  }

  private void endPending() {
    if (pending) {
      pending = false;
      cluster.endPending();
    }
  }

  private void end(Result result) {
    done = true;
    if (body != null) {
      body.forEach(ByteBuf::release);
      body.clear();
    }
    outcome.accept(result);
  }
}
