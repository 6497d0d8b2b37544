package io.vlmtagger.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.vlmtagger.models.api.PixelValues;
import io.vlmtagger.training.dataset.Scene;
import io.vlmtagger.training.dataset.ShapesDataset;
import io.vlmtagger.models.preprocess.ImagePreprocessor;
import java.util.ArrayList;
import java.util.List;

/**
 * A batch of consecutive scenes with their pixels preprocessed exactly as serving does (the
 * checkpoint's own {@code preprocessor_config.json} through {@link ImagePreprocessor}).
 */
record SceneBatch(List<Scene> scenes, float[] pixels, int size) {

    static SceneBatch of(ShapesDataset data, ImagePreprocessor preprocessor, int firstIndex, int count) {
        List<Scene> scenes = new ArrayList<>(count);
        float[] all = null;
        int size = 0;
        for (int i = 0; i < count; i++) {
            Scene scene = data.scene(firstIndex + i);
            scenes.add(scene);
            PixelValues pv = preprocessor.preprocess(data.render(scene));
            if (all == null) {
                size = pv.height();
                all = new float[count * pv.chw().length];
            }
            System.arraycopy(pv.chw(), 0, all, i * pv.chw().length, pv.chw().length);
        }
        return new SceneBatch(scenes, all, size);
    }

    /** {@code [B, 3, H, W]} float32 in {@code manager}. */
    NDArray pixels(NDManager manager) {
        return manager.create(pixels, new Shape(scenes.size(), 3, size, size));
    }
}
