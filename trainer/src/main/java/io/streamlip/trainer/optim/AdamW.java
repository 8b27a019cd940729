package io.streamlip.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adam with decoupled weight decay, global-norm gradient clipping and a warmup-cosine schedule,
 * whose state (moments and step) is saved and restored by parameter <em>name</em>.
 *
 * <p>DJL's own AdamW decays every parameter, clips each element on one side only, and keys its
 * private state by parameter ids that change from run to run, so a run cannot resume it. This one
 * calls the same fused native {@code adamUpdate} kernel per parameter:
 *
 * <pre>
 * g  = grad * rescale            (rescale = min(1, clipNorm / ||grad||) over all parameters)
 * w -= lr * wd * w               (only for matrices: not norms, biases, t', b)
 * m  = β1 m + (1-β1) g;  v = β2 v + (1-β2) g²
 * w -= lr * sqrt(1-β2^t)/(1-β1^t) * m / (sqrt(v) + ε)
 * </pre>
 *
 * The kernel also zeroes each gradient after using it, ready for the next backward pass.
 */
public final class AdamW implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdamW.class);
    private static final String STEP_KEY = "step";

    private final OptimizerConfig config;
    private final LearningRateSchedule schedule;
    private final NDManager manager;
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, NDArray> means = new HashMap<>();
    private final Map<String, NDArray> variances = new HashMap<>();
    private long step;

    /**
     * @param parameters the model's parameters keyed by their stable path names (as {@code
     *     Block.getParameters()} gives them)
     * @param parent manager the optimizer's state lives under (a sub-manager is used)
     */
    public AdamW(OptimizerConfig config, PairList<String, Parameter> parameters, NDManager parent) {
        this.config = config;
        this.schedule = config.schedule();
        this.manager = parent.newSubManager();
        for (Pair<String, Parameter> p : parameters) {
            if (p.getValue().requiresGradient()) {
                this.parameters.put(p.getKey(), p.getValue());
            }
        }
        for (var e : this.parameters.entrySet()) {
            NDArray w = e.getValue().getArray();
            means.put(e.getKey(), manager.zeros(w.getShape(), w.getDataType()));
            variances.put(e.getKey(), manager.zeros(w.getShape(), w.getDataType()));
        }
    }

    /**
     * What one update did.
     *
     * @param step the step count after this call
     * @param learningRate the rate used (0 when skipped)
     * @param gradientNorm global L2 norm of the gradient before clipping
     * @param clipped whether the gradient was scaled down to the clipping norm
     * @param skipped whether the update was skipped because the gradient was not finite
     */
    public record Update(
            long step,
            double learningRate,
            double gradientNorm,
            boolean clipped,
            boolean skipped) {}

    /** Whether weight decay applies: to matrices and tensors, not to vectors and scalars. */
    public static boolean decays(Parameter parameter) {
        return parameter.getArray().getShape().dimension() >= 2;
    }

    /**
     * Applies one update from the gradients the last backward pass left on the parameters, and
     * zeroes them. A non-finite gradient is dropped instead (see {@link Update#skipped()}).
     */
    public Update step() {
        try (NDManager scratch = manager.newSubManager()) {
            Map<String, NDArray> gradients = new LinkedHashMap<>();
            NDList norms = new NDList(parameters.size());
            for (var e : parameters.entrySet()) {
                NDArray g = e.getValue().getArray().getGradient();
                g.attach(scratch); // a new handle each call: closed with the scratch manager
                gradients.put(e.getKey(), g);
                norms.add(g.norm());
            }
            // ||g|| = ||(||g_1||, ..., ||g_n||)||: one native call per parameter and two in all,
            // instead of a square, a sum and an add per parameter.
            double norm = norms.isEmpty() ? 0 : NDArrays.stack(norms).norm().getFloat();
            if (!Double.isFinite(norm)) {
                // One bad batch must not poison the moments of a long streaming run: drop its
                // gradients and leave weights, moments and step as they were.
                LOG.warn(
                        "gradient norm is {} at step {}: update skipped. Non-finite gradients: {};"
                                + " non-finite weights: {}",
                        norm,
                        step + 1,
                        nonFinite(gradients),
                        nonFiniteWeights());
                for (Parameter p : parameters.values()) {
                    JniUtils.zeroGrad((PtNDArray) p.getArray());
                }
                return new Update(step, 0, norm, false, true);
            }
            boolean clipped = config.clipNorm() > 0 && norm > config.clipNorm();
            float rescale = clipped ? (float) (config.clipNorm() / (norm + 1e-6)) : 1f;
            step++;
            double lr = schedule.at(step);
            double corrected =
                    lr
                            * Math.sqrt(1 - Math.pow(config.beta2(), step))
                            / (1 - Math.pow(config.beta1(), step));
            for (var e : parameters.entrySet()) {
                String name = e.getKey();
                NDArray w = e.getValue().getArray();
                float decay = decays(e.getValue()) ? (float) config.weightDecay() : 0f;
                w.getNDArrayInternal()
                        .adamUpdate(
                                new NDList(
                                        w,
                                        gradients.get(name),
                                        means.get(name),
                                        variances.get(name)),
                                new NDList(w),
                                (float) lr,
                                (float) corrected,
                                decay,
                                rescale,
                                -1f, // no per-element clipping: the global norm is clipped above
                                (float) config.beta1(),
                                (float) config.beta2(),
                                (float) config.epsilon(),
                                false,
                                true);
            }
            return new Update(step, lr, norm, clipped, false);
        }
    }

    private static List<String> nonFinite(Map<String, NDArray> arrays) {
        List<String> out = new ArrayList<>();
        arrays.forEach(
                (name, a) -> {
                    for (float v : a.toFloatArray()) {
                        if (!Float.isFinite(v)) {
                            out.add(name);
                            break;
                        }
                    }
                });
        return out;
    }

    private List<String> nonFiniteWeights() {
        Map<String, NDArray> weights = new LinkedHashMap<>();
        parameters.forEach((name, p) -> weights.put(name, p.getArray()));
        return nonFinite(weights);
    }

    /** Updates applied so far (including those of the run this state was loaded from). */
    public long stepCount() {
        return step;
    }

    /** Writes moments and step as safetensors, keyed {@code m/<name>}, {@code v/<name>}. */
    public void save(Path file) throws IOException {
        try (NDManager scratch = manager.newSubManager()) {
            NDList state = new NDList();
            NDArray stepArray = scratch.create(new long[] {step});
            stepArray.setName(STEP_KEY);
            state.add(stepArray);
            for (String name : parameters.keySet()) {
                NDArray m = means.get(name).duplicate();
                m.attach(scratch);
                m.setName("m/" + name);
                NDArray v = variances.get(name).duplicate();
                v.attach(scratch);
                v.setName("v/" + name);
                state.add(m);
                state.add(v);
            }
            try (OutputStream out = Files.newOutputStream(file)) {
                state.encode(out, NDList.Encoding.SAFETENSORS);
            }
        }
    }

    /**
     * Restores what {@link #save} wrote. Every parameter of this model must have state in the file,
     * with the same shape.
     */
    public void load(Path file) throws IOException {
        try (NDManager scratch = manager.newSubManager();
                InputStream in = Files.newInputStream(file)) {
            NDList state = NDList.decode(scratch, in);
            Map<String, NDArray> byName = new HashMap<>();
            for (NDArray a : state) {
                byName.put(a.getName(), a);
            }
            NDArray stepArray = byName.get(STEP_KEY);
            if (stepArray == null) {
                throw new IOException(file + " holds no optimizer step: not an AdamW state");
            }
            long loadedStep = stepArray.getLong();
            for (String name : parameters.keySet()) {
                copyInto(byName, "m/" + name, means.get(name), file);
                copyInto(byName, "v/" + name, variances.get(name), file);
            }
            step = loadedStep;
        }
    }

    private static void copyInto(Map<String, NDArray> byName, String key, NDArray target, Path file)
            throws IOException {
        NDArray source = byName.get(key);
        if (source == null) {
            throw new IOException(file + " has no optimizer state for " + key);
        }
        if (!source.getShape().equals(target.getShape())) {
            throw new IOException(
                    file
                            + ": "
                            + key
                            + " has shape "
                            + source.getShape()
                            + ", the model needs "
                            + target.getShape());
        }
        target.set(source.toFloatArray());
    }

    @Override
    public void close() {
        manager.close();
    }
}
