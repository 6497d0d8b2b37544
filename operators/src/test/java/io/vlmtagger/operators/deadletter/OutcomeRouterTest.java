package io.vlmtagger.operators.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.stream.Collectors;

import io.vlmtagger.operators.deadletter.DeadLetters;
import io.vlmtagger.operators.records.Outcome;
import io.vlmtagger.schemas.DeadLetter;
import io.vlmtagger.schemas.FailureStage;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class OutcomeRouterTest {
    @Test
    void valuesGoToTheMainOutputAndDeadLettersToTheSideOutput() throws Exception {
        OutcomeRouter<String> router = OutcomeRouter.of(String.class);
        OneInputStreamOperatorTestHarness<Outcome<String>, String> h = ProcessFunctionTestHarnesses.forProcessFunction(router);
        h.open();
        DeadLetter dl = DeadLetter.newBuilder().setEventId("e2").setStage(FailureStage.FETCH).setReason("fetch_timeout")
                .setErrorClass("x").setErrorMessage("m").setFailedAt(Instant.EPOCH).build();
        h.processElement(Outcome.ok("first"), 1L);
        h.processElement(Outcome.failed(dl), 2L);
        h.processElement(Outcome.ok("third"), 3L);

        assertThat(h.extractOutputValues()).containsExactly("first", "third");
        assertThat(h.getSideOutput(DeadLetters.TAG).stream().map(StreamRecord::getValue).collect(Collectors.toList()))
                .containsExactly(dl);
        assertThat(router.getProducedType().getTypeClass()).isEqualTo(String.class);
        h.close();
    }
}
