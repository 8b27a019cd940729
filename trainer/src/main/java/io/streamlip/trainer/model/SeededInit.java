package io.streamlip.trainer.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.XavierInitializer;

/**
 * How every family's model gets fresh parameters: Xavier-uniform weights (each block sets its own
 * tables, positions and norms), float32, deterministic for a seed (it seeds the engine's
 * generator).
 */
public final class SeededInit {
    private SeededInit() {}

    /** {@code model} initialised in {@code manager} for inputs of {@code inputShapes}. */
    public static <B extends Block> B initialise(
            B model, NDManager manager, int seed, Shape... inputShapes) {
        model.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
        Engine.getInstance().setRandomSeed(seed);
        model.initialize(manager, DataType.FLOAT32, inputShapes);
        return model;
    }
}
