package io.streamlip.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
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
 * Adam with decoupled weight decay (matrices only), global-norm gradient clipping and a
 * warmup-cosine schedule, whose state (moments and step) is saved and restored by parameter
 * <em>name</em>, unlike DJL's own, which a run cannot resume. It calls DJL's fused native {@code
 * adamUpdate} kernel on one flat buffer of all trainable weights (the update and why flat:
 * docs/decisions/adamw.md).
 *
 * <p>The optimizer takes over the parameters' arrays when it is built: whatever replaces one
 * afterwards (loading a checkpoint) must be followed by {@link #adoptParameters()} before the next
 * {@link #step()}, which refuses a replaced array. Never call {@code NDArray.set} on a parameter's
 * array (it cuts the view from the flat buffer); copy with {@link #copyInto(NDArray, NDArray)}.
 */
public final class AdamW implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdamW.class);
    private static final String STEP_KEY = "step";

    /** One trainable parameter: where its values sit in the flat buffers. */
    private static final class Slot {
        final String name;
        final Parameter parameter;
        final long offset;
        final long size;
        final Shape shape;
        NDArray view;
        NDArray mean;
        NDArray variance;

        Slot(String name, Parameter parameter, long offset) {
            this.name = name;
            this.parameter = parameter;
            this.offset = offset;
            this.shape = parameter.getArray().getShape();
            this.size = shape.size();
        }
    }

    private final OptimizerConfig config;
    private final LearningRateSchedule schedule;
    private final NDManager manager;
    private final List<Slot> slots = new ArrayList<>();
    private final Map<String, Slot> byName = new LinkedHashMap<>();
    private final long decayedSize;
    private final long totalSize;
    private final NDArray weights;
    private final NDArray means;
    private final NDArray variances;
    private long step;

    /**
     * Takes over the trainable parameters' arrays (see the class comment).
     *
     * @param parameters the model's parameters keyed by their stable path names (as {@code
     *     Block.getParameters()} gives them); those that require no gradient are left alone
     * @param parent manager the optimizer's state lives under (a sub-manager is used); the flat
     *     weights live in another sub-manager of it, which outlives {@link #close()} since the
     *     model keeps using them
     */
    public AdamW(OptimizerConfig config, PairList<String, Parameter> parameters, NDManager parent) {
        this.config = config;
        this.schedule = config.schedule();
        this.manager = parent.newSubManager();
        List<Pair<String, Parameter>> trainable = new ArrayList<>();
        for (Pair<String, Parameter> p : parameters) {
            if (p.getValue().requiresGradient()) {
                trainable.add(p);
            }
        }
        // Decayed parameters first: decay then applies to one range of the flat buffers.
        List<Pair<String, Parameter>> ordered = new ArrayList<>();
        trainable.stream().filter(p -> decays(p.getValue())).forEach(ordered::add);
        trainable.stream().filter(p -> !decays(p.getValue())).forEach(ordered::add);
        Map<Parameter, Slot> slotOf = new HashMap<>();
        long offset = 0;
        long decayedEnd = 0;
        for (Pair<String, Parameter> p : ordered) {
            boolean decayed = decays(p.getValue());
            Slot slot = new Slot(p.getKey(), p.getValue(), offset);
            slots.add(slot);
            slotOf.put(p.getValue(), slot);
            offset += slot.size;
            if (decayed) {
                decayedEnd = offset;
            }
        }
        decayedSize = decayedEnd;
        totalSize = offset;
        // State files list the parameters in the model's order, as before the flat buffers.
        for (Pair<String, Parameter> p : trainable) {
            byName.put(p.getKey(), slotOf.get(p.getValue()));
        }
        DataType type =
                slots.isEmpty()
                        ? DataType.FLOAT32
                        : slots.get(0).parameter.getArray().getDataType();
        weights = parent.newSubManager().zeros(new Shape(totalSize), type);
        means = manager.zeros(new Shape(totalSize), type);
        variances = manager.zeros(new Shape(totalSize), type);
        for (Slot slot : slots) {
            slot.mean = slice(means, slot);
            slot.variance = slice(variances, slot);
        }
        adoptParameters();
    }

    private static NDArray slice(NDArray flat, Slot slot) {
        return flat.get(new NDIndex("{}:{}", slot.offset, slot.offset + slot.size))
                .reshape(slot.shape);
    }

    /**
     * Makes every trainable parameter's array a view of the flat weights again, copying in the
     * values of arrays that replaced the views since (e.g. {@code Block.loadParameters}). Call it
     * after loading parameters and before building the {@code ParameterStore} the next forward pass
     * uses (the store caches arrays).
     */
    public void adoptParameters() {
        for (Slot slot : slots) {
            NDArray current = slot.parameter.getArray();
            if (current == slot.view) {
                continue;
            }
            if (!current.getShape().equals(slot.shape)) {
                throw new IllegalStateException(
                        "parameter "
                                + slot.name
                                + " changed shape from "
                                + slot.shape
                                + " to "
                                + current.getShape());
            }
            NDArray view = slice(weights, slot);
            // Copy from a detached handle: PyTorch's grad mode is per thread and on by default
            // in a new one, where copying a gradient-requiring array would record the copy, make
            // the view a non-leaf and send its gradients to the old array instead.
            try (NDArray values = current.stopGradient()) {
                copyInto(view, values);
            }
            view.setName(current.getName());
            view.setRequiresGradient(true);
            ParameterArrays.replace(slot.parameter, view);
            if (slot.view != null) {
                slot.view.close();
            }
            slot.view = view;
            current.close();
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
     *
     * @throws IllegalStateException if a parameter's array was replaced since the optimizer took it
     *     over and {@link #adoptParameters()} was not called
     */
    public Update step() {
        try (NDManager scratch = manager.newSubManager()) {
            NDList parts = new NDList(slots.size());
            for (Slot slot : slots) {
                if (slot.parameter.getArray() != slot.view) {
                    throw new IllegalStateException(
                            "the array of parameter "
                                    + slot.name
                                    + " was replaced after the optimizer took it"
                                    + " over: call AdamW.adoptParameters() after loading parameters");
                }
                NDArray g = slot.view.getGradient();
                g.attach(scratch); // a new handle each call: closed with the scratch manager
                parts.add(g.reshape(-1));
            }
            // One copy of all gradients, then one norm, one rescale and two kernel calls on it.
            NDArray gradient =
                    parts.isEmpty() ? scratch.zeros(new Shape(0)) : NDArrays.concat(parts);
            double norm = parts.isEmpty() ? 0 : gradient.norm().getFloat();
            if (!Double.isFinite(norm)) {
                // One bad batch must not poison the moments of a long streaming run: drop its
                // gradients and leave weights, moments and step as they were.
                LOG.warn(
                        "gradient norm is {} at step {}: update skipped. Non-finite gradients: {};"
                                + " non-finite weights: {}",
                        norm,
                        step + 1,
                        nonFinite(gradient),
                        nonFinite(weights));
                zeroGradients();
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
            update(
                    scratch,
                    gradient,
                    0,
                    decayedSize,
                    lr,
                    corrected,
                    (float) config.weightDecay(),
                    rescale);
            update(scratch, gradient, decayedSize, totalSize, lr, corrected, 0f, rescale);
            zeroGradients();
            return new Update(step, lr, norm, clipped, false);
        }
    }

    /** The fused kernel on the range [from, to) of the flat buffers. */
    private void update(
            NDManager scratch,
            NDArray gradient,
            long from,
            long to,
            double lr,
            double corrected,
            float decay,
            float rescale) {
        if (from == to) {
            return;
        }
        NDIndex range = new NDIndex("{}:{}", from, to);
        NDArray w = weights.get(range);
        w.attach(scratch);
        NDArray m = means.get(range);
        m.attach(scratch);
        NDArray v = variances.get(range);
        v.attach(scratch);
        w.getNDArrayInternal()
                .adamUpdate(
                        new NDList(w, gradient.get(range), m, v),
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

    private void zeroGradients() {
        for (Slot slot : slots) {
            JniUtils.zeroGrad((PtNDArray) slot.view);
        }
    }

    /**
     * The gradients the last backward pass left on the trainable parameters, by parameter name in
     * the model's order; they stay where they are (the next {@link #step()} uses them, {@link
     * #discardGradients()} drops them).
     */
    public Map<String, float[]> gradients() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Slot slot : byName.values()) {
            try (NDArray g = slot.view.getGradient()) {
                out.put(slot.name, g.toFloatArray());
            }
        }
        return out;
    }

    /** Zeroes the gradients without an update: weights, moments and step stay as they are. */
    public void discardGradients() {
        zeroGradients();
    }

    /** Names of the parameters whose slice of {@code flat} holds a non-finite value. */
    private List<String> nonFinite(NDArray flat) {
        float[] values = flat.toFloatArray();
        List<String> out = new ArrayList<>();
        for (Slot slot : slots) {
            for (long i = slot.offset; i < slot.offset + slot.size; i++) {
                if (!Float.isFinite(values[(int) i])) {
                    out.add(slot.name);
                    break;
                }
            }
        }
        return out;
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
            for (Slot slot : byName.values()) {
                String name = slot.name;
                NDArray m = slot.mean.duplicate();
                m.attach(scratch);
                m.setName("m/" + name);
                NDArray v = slot.variance.duplicate();
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
            Map<String, NDArray> saved = new HashMap<>();
            for (NDArray a : state) {
                saved.put(a.getName(), a);
            }
            NDArray stepArray = saved.get(STEP_KEY);
            if (stepArray == null) {
                throw new IOException(file + " holds no optimizer step: not an AdamW state");
            }
            long loadedStep = stepArray.getLong();
            for (Slot slot : byName.values()) {
                copyInto(saved, "m/" + slot.name, slot.mean, file);
                copyInto(saved, "v/" + slot.name, slot.variance, file);
            }
            step = loadedStep;
        }
    }

    private static void copyInto(Map<String, NDArray> saved, String key, NDArray target, Path file)
            throws IOException {
        NDArray source = saved.get(key);
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
        copyInto(target, source);
    }

    /**
     * Copies {@code source}'s values into {@code target} in place, so that a view (a parameter's
     * array, a slice of the moments) keeps sharing its flat buffer; {@code NDArray.set(float[])}
     * would rebind it to new storage instead.
     */
    public static void copyInto(NDArray target, NDArray source) {
        if (!source.getShape().equals(target.getShape())) {
            throw new IllegalArgumentException(
                    "cannot copy an array of shape "
                            + source.getShape()
                            + " into "
                            + target.getShape());
        }
        target.set(new NDIndex(":"), source);
    }

    @Override
    public void close() {
        manager.close();
    }
}
