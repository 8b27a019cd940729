package io.streamlip.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.lang.reflect.Field;

/**
 * Replaces an initialised {@link Parameter}'s array, which DJL's API does not allow ({@code
 * setArray} refuses once the shape is known). {@link AdamW} needs it to make every parameter a view
 * of one flat buffer. Done by reflection on DJL 0.36's private field {@code array}; a DJL version
 * without it fails at once with a message saying so, not silently.
 */
final class ParameterArrays {
    private static final Field ARRAY = arrayField();

    private ParameterArrays() {}

    private static Field arrayField() {
        try {
            Field f = Parameter.class.getDeclaredField("array");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException(
                    "this DJL version's Parameter has no accessible field 'array': AdamW's flat"
                            + " buffers need it (see ParameterArrays)",
                    e);
        }
    }

    /** Makes {@code array} the parameter's array in place of one of the same shape. */
    static void replace(Parameter parameter, NDArray array) {
        NDArray current = parameter.getArray();
        if (current == null || !array.getShape().equals(current.getShape())) {
            throw new IllegalArgumentException(
                    "parameter "
                            + parameter.getName()
                            + " has array "
                            + (current == null ? "none" : current.getShape())
                            + ", not "
                            + array.getShape());
        }
        try {
            ARRAY.set(parameter, array);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(
                    "cannot replace the array of " + parameter.getName(), e);
        }
    }
}
