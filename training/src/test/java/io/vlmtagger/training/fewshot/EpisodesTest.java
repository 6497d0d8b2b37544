package io.vlmtagger.training.fewshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.vlmtagger.training.fewshot.Look.Property;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EpisodesTest {

    @Test
    void episodesAreDeterministicAndWellPosed() {
        Episodes a = new Episodes(5, FewShotVocabulary.TRAINING_LABELS, Rule.TRAINING);
        Episodes b = new Episodes(5, FewShotVocabulary.TRAINING_LABELS, Rule.TRAINING);
        for (int i = 0; i < 300; i++) {
            int k = 2 + i % 5;
            Episode e = a.episode(i, k);
            assertThat(b.episode(i, k)).isEqualTo(e);
            assertThat(e.k()).isEqualTo(k);
            assertThat(Rule.TRAINING).contains(e.rule());
            assertThat(FewShotVocabulary.TRAINING_LABELS).containsAll(e.labels());
            // one label per value of the rule, and the exemplars differ only in the rule's properties
            for (int x = 0; x < k; x++) {
                for (int y = 0; y < k; y++) {
                    Look ex = e.exemplars().get(x);
                    Look ey = e.exemplars().get(y);
                    assertThat(e.rule().value(ex) == e.rule().value(ey)).isEqualTo(e.labels().get(x).equals(e.labels().get(y)));
                    for (Property p : Property.values()) {
                        if (!e.rule().properties().contains(p)) {
                            assertThat(ex.value(p)).isEqualTo(ey.value(p));
                        }
                    }
                }
            }
            int at = e.labels().indexOf(e.answer());
            assertThat(at).as("the answer is an exemplar's label").isNotNegative();
            assertThat(e.rule().value(e.query())).isEqualTo(e.rule().value(e.exemplars().get(at)));
            assertThat(new HashSet<>(e.labels()).size()).isBetween(2, k);
        }
    }

    @Test
    void heldOutEpisodesUseWordsAndPairsTrainingNeverDoes() {
        Set<String> training = new HashSet<>(FewShotVocabulary.TRAINING_LABELS);
        assertThat(FewShotVocabulary.HELD_OUT_LABELS).noneMatch(training::contains);
        assertThat(FewShotVocabulary.DEMO_LABELS).noneMatch(training::contains);
        assertThat(Rule.HELD_OUT).noneMatch(Rule.TRAINING::contains);
        Episodes held = FewShotEvaluation.heldOut(3);
        for (Rule rule : Rule.HELD_OUT) {
            Episode e = held.episode(1, 4, rule);
            assertThat(e.rule()).isEqualTo(rule);
            assertThat(FewShotVocabulary.HELD_OUT_LABELS).containsAll(e.labels());
        }
        assertThat(FewShotVocabulary.baseTokens()).doesNotHaveDuplicates().hasSize(FewShotVocabulary.baseTokens().size());
        assertThat(FewShotVocabulary.baseTokens().size() % 8).isZero();
        assertThat(List.of(FewShotVocabulary.FAKE_TOKEN, FewShotVocabulary.IMAGE_TOKEN))
                .isEqualTo(FewShotVocabulary.allTokens().subList(FewShotVocabulary.baseTokens().size(),
                        FewShotVocabulary.allTokens().size()));
    }
}
