package io.vlmtagger.operators.tags;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CaptionTaggerTest {
    private final CaptionTagger tagger = new CaptionTagger();

    @Test
    void lowercasesStripsStopWordsAndPunctuationAndDedupesInOrder() {
        assertThat(tagger.tags("Two red circles and a Red circle, on a white background!"))
                .containsExactly("two", "red", "circle", "white", "background");
    }

    @Test
    void dropsNumbersWrittenAsDigitsButKeepsWords() {
        assertThat(tagger.tags("3 dogs and 2 cats in 2024, three birds")).containsExactly("dog", "cat", "three", "bird");
        assertThat(tagger.tags("a 3d render of 1,000 cubes")).containsExactly("3d", "render", "cube");
    }

    @Test
    void normalisesSimpleAndIrregularPlurals() {
        assertThat(tagger.tags("boxes puppies benches wolves children shoes glasses bus grass"))
                .containsExactly("box", "puppy", "bench", "wolf", "child", "shoe", "glasses", "bus", "grass");
    }

    @Test
    void handlesPossessivesHyphensAndFillerWords() {
        assertThat(tagger.tags("A picture of the dog's red-and-white ball; image shows it."))
                .containsExactly("dog", "red-and-white", "ball");
    }

    @Test
    void emptyInputsGiveNoTags() {
        assertThat(tagger.tags(null)).isEmpty();
        assertThat(tagger.tags("   ")).isEmpty();
        assertThat(tagger.tags("the a of and 42 !!!")).isEmpty();
    }

    @Test
    void isDeterministic() {
        String caption = "A blue square next to green triangles and a yellow square";
        assertThat(tagger.tags(caption)).isEqualTo(new CaptionTagger().tags(caption))
                .containsExactly("blue", "square", "green", "triangle", "yellow");
    }
}
