package io.vlmtagger.operators.fewshot;

import io.vlmtagger.operators.records.ImageTask;
import io.vlmtagger.schemas.EnrichedImage;
import io.vlmtagger.schemas.Exemplar;
import io.vlmtagger.schemas.TaskType;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Wires few-shot tagging into a job: events that ask for {@link TaskType#FEW_SHOT_TAGS} connect to
 * the exemplar stream, broadcast to every subtask. The result's side output {@link
 * io.vlmtagger.operators.deadletter.DeadLetters#TAG} carries the dead letters.
 */
public final class FewShotStage {
    public static final TypeInformation<EnrichedImage> OUTPUT_TYPE = new AvroTypeInfo<>(EnrichedImage.class);
    public static final TypeInformation<Exemplar> EXEMPLAR_TYPE = new AvroTypeInfo<>(Exemplar.class);

    private FewShotStage() {}

    /** Events whose tasks include FEW_SHOT_TAGS. */
    public static boolean wantsFewShot(ImageTask task) {
        List<TaskType> tasks = task.event.getTasks();
        return tasks != null && tasks.contains(TaskType.FEW_SHOT_TAGS);
    }

    /**
     * @param fetched events after the fetch stage (image bytes present); only FEW_SHOT_TAGS ones are tagged
     * @param exemplars the exemplars topic (see {@link ExemplarDeserializationSchema})
     */
    public static SingleOutputStreamOperator<EnrichedImage> apply(DataStream<ImageTask> fetched,
            DataStream<Exemplar> exemplars, FewShotOperatorFactory factory) {
        return fetched.filter(FewShotStage::wantsFewShot).name("wants-few-shot").uid("wants-few-shot")
                .connect(exemplars.broadcast())
                .transform("few-shot", OUTPUT_TYPE, factory)
                .uid("few-shot");
    }
}
