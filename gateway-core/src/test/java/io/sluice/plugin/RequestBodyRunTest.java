package io.sluice.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.sluice.spi.ErrorCode;
import io.sluice.spi.GatewayError;
import io.sluice.testing.plugins.BodyTestPlugins;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The body judgment on an in-memory event loop: an awaited verdict resumes on the loop, and the
 * body is referenced by the pending stage until it completes, then let go of exactly once.
 */
class RequestBodyRunTest {

  final EmbeddedChannel loop = new EmbeddedChannel();
  final List<Object> answers = new ArrayList<>();
  final RequestBodyRun.Continuation recorder = new RequestBodyRun.Continuation() {
    @Override
    public void proceed() {
      answers.add("proceed");
    }

    @Override
    public void reply(GatewayError error) {
      answers.add(error.code());
    }
  };

  @BeforeEach
  void noVerdictLeft() {
    BodyTestPlugins.VERDICTS.clear();
  }

  static ByteBuf body() {
    return Unpooled.directBuffer().writeBytes("judge me".getBytes(StandardCharsets.UTF_8));
  }

  RequestBodyRun run(ByteBuf body) throws Exception {
    return new RequestBodyRun(RequestChainRunTest.chain("[ { test_verdict: { timeout: 100ms } } ]"),
        RequestChainRunTest.exchange(), loop.eventLoop(), body, recorder);
  }

  @Test
  void aVerdictResumesOnTheLoopAndTheStageLetsGoOfTheBody() throws Exception {
    ByteBuf body = body();
    run(body).start();

    assertThat(answers).isEmpty();
    assertThat(body.refCnt()).as("the caller's reference and the pending stage's").isEqualTo(2);
    BodyTestPlugins.VERDICTS.poll().complete(true);
    assertThat(answers).as("not before the loop runs the resume step").isEmpty();
    loop.runPendingTasks();

    assertThat(answers).containsExactly("proceed");
    assertThat(body.refCnt()).isEqualTo(1);
    body.release();
  }

  @Test
  void aRefusalAfterTheWaitIsTheAnswer() throws Exception {
    ByteBuf body = body();
    run(body).start();
    BodyTestPlugins.VERDICTS.poll().complete(false);
    loop.runPendingTasks();

    assertThat(answers).containsExactly(ErrorCode.BAD_REQUEST);
    assertThat(body.refCnt()).isEqualTo(1);
    body.release();
  }

  @Test
  void afterATimeoutTheBodyStaysValidUntilTheStageCompletes() throws Exception {
    ByteBuf body = body();
    run(body).start();
    CompletableFuture<Boolean> verdict = BodyTestPlugins.VERDICTS.poll();

    loop.advanceTimeBy(150, TimeUnit.MILLISECONDS);
    loop.runScheduledPendingTasks();
    assertThat(answers).containsExactly(ErrorCode.PLUGIN_TIMEOUT);
    body.release(); // the exchange is over: its owner lets go
    assertThat(body.refCnt()).as("still held for the stage").isEqualTo(1);
    assertThat(body.toString(StandardCharsets.UTF_8)).isEqualTo("judge me");

    verdict.complete(true);
    loop.runPendingTasks();
    assertThat(body.refCnt()).isZero();
    assertThat(answers).as("the late verdict is ignored").containsExactly(ErrorCode.PLUGIN_TIMEOUT);
  }

  @Test
  void aCancelledRunNeverAnswersAndStillLetsGo() throws Exception {
    ByteBuf body = body();
    RequestBodyRun run = run(body);
    run.start();
    run.cancel();
    body.release();

    BodyTestPlugins.VERDICTS.poll().completeExceptionally(new IllegalStateException("scanner down"));
    loop.runPendingTasks();
    assertThat(body.refCnt()).isZero();
    assertThat(answers).isEmpty();
  }
}
