package io.streamlip.trainer;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.streamlip.trainer.caption.CaptionStep;
import io.streamlip.trainer.caption.CaptionerModel;
import io.streamlip.trainer.caption.GreedyDecoder;
import io.streamlip.trainer.checkpoint.CheckpointStore;
import io.streamlip.trainer.clippo.ClippoModel;
import io.streamlip.trainer.clippo.ClippoRendering;
import io.streamlip.trainer.data.TrainingBatch;
import io.streamlip.trainer.device.DeviceChoice;
import io.streamlip.trainer.device.Devices;
import io.streamlip.trainer.limoe.LimoeLossStep;
import io.streamlip.trainer.limoe.LimoeModel;
import io.streamlip.trainer.limoe.RoutingStats;
import io.streamlip.trainer.loss.LossConfig;
import io.streamlip.trainer.loss.LossStep;
import io.streamlip.trainer.model.ContrastiveModel;
import io.streamlip.trainer.model.ImageEmbeddingCache;
import io.streamlip.trainer.model.LitConfig;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.ModelFamily;
import io.streamlip.trainer.model.SiglipModel;
import io.streamlip.trainer.optim.AdamW;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A model and its optimizer, and the training step: forward, loss ({@link LossConfig}: sigmoid,
 * chunked sigmoid or softmax), backward, AdamW update. The model is the {@link
 * ModelConfig#family()}'s: two towers ({@link SiglipModel}), CLIPPO's one tower, LIMoE ({@link
 * LimoeModel}, stepped by {@link LimoeLossStep}, its last routing kept: {@link #lastRouting()}), or
 * for {@link ModelFamily#CAPTIONER} a {@link CaptionerModel} (its two-tower part serves {@link
 * #model}; its step is {@link CaptionStep}'s). With a {@link LitConfig} the image tower is locked
 * (LiT): loaded from a checkpoint, frozen, optionally served from an embedding cache. Knows nothing
 * of Kafka or checkpoints' bookkeeping, so tests and benchmarks drive it with any batches.
 *
 * <p>Every step runs in its own sub-{@link NDManager} that is closed at the end, so native memory
 * stays flat however long the run. Not thread-safe.
 */
public final class TrainingSession implements AutoCloseable {
    /** File of the model parameters inside a checkpoint folder. */
    public static final String PARAMETERS_FILE = "model.params";

    /** File of the optimizer state inside a checkpoint folder. */
    public static final String OPTIMIZER_FILE = "optimizer.safetensors";

    private final ModelConfig config;
    private final NDManager manager;
    private final ContrastiveModel model;
    // Captioner (null for two towers): the network optimised and saved; model is its towers.
    private final CaptionerModel captioner;
    private final CaptionStep captionStep;
    private ParameterStore parameterStore;
    private final AdamW optimizer;
    private final LossStep lossStep;
    // LIMoE only (null for two towers): its step, and how the last step routed.
    private final LimoeLossStep limoeStep;
    private RoutingStats lastRouting;
    private final boolean imageLocked;
    private final ImageEmbeddingCache imageCache;

    private TrainingSession(
            ModelConfig config,
            NDManager manager,
            ContrastiveModel model,
            CaptionerModel captioner,
            OptimizerConfig optimizer,
            LossConfig loss,
            LitConfig lit) {
        this.config = config;
        this.manager = manager;
        this.model = model;
        this.captioner = captioner;
        this.captionStep = captioner == null ? null : new CaptionStep(loss);
        this.lossStep = new LossStep(loss);
        this.limoeStep = model instanceof LimoeModel ? new LimoeLossStep(loss) : null;
        if (lit != null && !(model instanceof SiglipModel)) {
            throw new IllegalArgumentException(
                    "LiT locks the image tower of a two-tower model, not of " + config.family());
        }
        this.imageLocked = lit != null;
        this.imageCache =
                lit != null && lit.cacheImageEmbeddings() && captioner == null
                        ? new ImageEmbeddingCache(lit.cacheCapacity())
                        : null;
        if (imageLocked) {
            // Before the optimizer is built: it keeps only parameters that require a gradient.
            twoTower().imageTower().freezeParameters(true);
        }
        this.parameterStore = new ParameterStore(manager, false);
        this.optimizer = new AdamW(optimizer, network().getParameters(), manager);
    }

    /** What is optimised and saved: the captioner, or the two towers. */
    private Block network() {
        return captioner != null ? captioner : model;
    }

    /**
     * Sets PyTorch's intra-op thread count for the calling thread, whatever other threads set
     * later, and the default of threads that have not used PyTorch yet (OpenMP runs a team of its
     * own for each thread that starts parallel work). Loads the engine first: its native library
     * must be there before the call.
     */
    public static void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive, got " + threads);
        }
        Engine.getEngine("PyTorch");
        // ATen applies the process's default at a thread's first parallel call: have that happen
        // now, so that it cannot later undo the count set here.
        JniUtils.getNumThreads();
        JniUtils.setNumThreads(threads);
    }

    /**
     * A fresh model, initialised deterministically from {@code seed}, on the GPU when DJL sees one
     * ({@link DeviceChoice#AUTO}).
     */
    public static TrainingSession create(ModelConfig config, OptimizerConfig optimizer, int seed) {
        return create(config, optimizer, LossConfig.defaults(), seed);
    }

    /** A fresh model trained with {@code loss}. */
    public static TrainingSession create(
            ModelConfig config, OptimizerConfig optimizer, LossConfig loss, int seed) {
        try {
            return create(config, optimizer, loss, null, seed, Devices.select(DeviceChoice.AUTO));
        } catch (IOException e) {
            throw new IllegalStateException("unreachable: no checkpoint is read", e);
        }
    }

    /**
     * A fresh model trained with {@code loss}; with {@code lit} (or null) its image tower is loaded
     * from {@code lit.imageCheckpoint()} and locked, the rest initialised from {@code seed}; the
     * model lives on {@code device} (see {@link Devices#select}).
     */
    public static TrainingSession create(
            ModelConfig config,
            OptimizerConfig optimizer,
            LossConfig loss,
            LitConfig lit,
            int seed,
            Device device)
            throws IOException {
        TrainingSession session = open(config, optimizer, loss, lit, seed, device);
        if (lit != null) {
            try {
                session.loadImageTower(lit.imageCheckpoint());
            } catch (IOException | RuntimeException e) {
                session.close();
                throw e;
            }
        }
        return session;
    }

    private static TrainingSession open(
            ModelConfig config,
            OptimizerConfig optimizer,
            LossConfig loss,
            LitConfig lit,
            int seed,
            Device device) {
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        try {
            if (lit != null
                    && config.family() != ModelFamily.TWO_TOWER
                    && config.family() != ModelFamily.CAPTIONER) {
                throw new IllegalArgumentException(
                        "LiT locks the image tower of a two-tower model; a "
                                + config.family()
                                + " model has none of its own");
            }
            if (config.family() == ModelFamily.CAPTIONER) {
                CaptionerModel captioner = CaptionerModel.create(config, manager, seed);
                return new TrainingSession(
                        config, manager, captioner.towers(), captioner, optimizer, loss, lit);
            }
            ContrastiveModel model =
                    switch (config.family()) {
                        case TWO_TOWER -> SiglipModel.create(config, manager, seed);
                        case CLIPPO -> ClippoModel.create(config, manager, seed);
                        case LIMOE -> LimoeModel.create(config, manager, seed);
                        default ->
                                throw new IllegalArgumentException(
                                        "the trainer cannot build a "
                                                + config.family()
                                                + " model yet");
                    };
            return new TrainingSession(config, manager, model, null, optimizer, loss, lit);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The model and optimizer state saved by {@link #save} in {@code folder}. */
    public static TrainingSession restore(
            ModelConfig config, OptimizerConfig optimizer, Path folder) throws IOException {
        return restore(
                config,
                optimizer,
                LossConfig.defaults(),
                null,
                folder,
                Devices.select(DeviceChoice.AUTO));
    }

    /**
     * The model and optimizer state saved by {@link #save} in {@code folder}, trained on with
     * {@code loss} and, with {@code lit} (or null), the image tower locked: its weights are then
     * the checkpoint's own (the run's LiT source was copied into it when the run started); on
     * {@code device}.
     */
    public static TrainingSession restore(
            ModelConfig config,
            OptimizerConfig optimizer,
            LossConfig loss,
            LitConfig lit,
            Path folder,
            Device device)
            throws IOException {
        TrainingSession session = open(config, optimizer, loss, lit, 0, device);
        try {
            session.loadParameters(folder.resolve(PARAMETERS_FILE));
            session.optimizer.load(folder.resolve(OPTIMIZER_FILE));
            return session;
        } catch (IOException | RuntimeException e) {
            session.close();
            throw e;
        }
    }

    /** Loads only the model parameters (for evaluation): the optimizer state stays fresh. */
    public void loadParameters(Path file) throws IOException {
        try (DataInputStream in =
                new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            network().loadParameters(manager, in);
        } catch (MalformedModelException e) {
            throw new IOException("cannot load " + file + ": " + e.getMessage(), e);
        }
        // Loading replaces the parameter arrays: make them trainable, hand them back to the
        // optimizer's flat buffer (it copies them in and puts its views back), and only then
        // build the store, which caches the arrays it serves.
        network().freezeParameters(false);
        if (captioner != null) {
            captioner.freezeUnused();
        }
        if (imageLocked) {
            twoTower().imageTower().freezeParameters(true);
        }
        optimizer.adoptParameters();
        parameterStore = new ParameterStore(manager, false);
    }

    /**
     * Copies the image tower's weights from a checkpoint (or the newest in a folder of them) whose
     * model has this model's image-tower shape; the text tower, {@code t'} and {@code b} stay as
     * they are.
     */
    public void loadImageTower(Path checkpoint) throws IOException {
        Path folder = CheckpointStore.resolve(checkpoint);
        ModelConfig source = CheckpointStore.readState(folder).model();
        try (NDManager scratch = manager.newSubManager()) {
            SiglipModel other = SiglipModel.create(source, scratch, 0);
            try (DataInputStream in =
                    new DataInputStream(
                            new BufferedInputStream(
                                    Files.newInputStream(folder.resolve(PARAMETERS_FILE))))) {
                other.loadParameters(scratch, in);
            } catch (MalformedModelException e) {
                throw new IOException("cannot load " + folder + ": " + e.getMessage(), e);
            }
            PairList<String, Parameter> from = other.imageTower().getParameters();
            PairList<String, Parameter> to = twoTower().imageTower().getParameters();
            if (from.size() != to.size()) {
                throw new IllegalArgumentException(
                        "the image tower of "
                                + folder
                                + " ("
                                + source
                                + ") does not have this model's shape ("
                                + config
                                + ")");
            }
            for (int i = 0; i < to.size(); i++) {
                NDArray src = from.get(i).getValue().getArray();
                NDArray dst = to.get(i).getValue().getArray();
                if (!from.get(i).getKey().equals(to.get(i).getKey())
                        || !src.getShape().equals(dst.getShape())) {
                    throw new IllegalArgumentException(
                            "the image tower of "
                                    + folder
                                    + " does not fit this model: "
                                    + from.get(i).getKey()
                                    + " "
                                    + src.getShape()
                                    + " vs "
                                    + to.get(i).getKey()
                                    + " "
                                    + dst.getShape());
                }
                dst.set(src.toFloatArray());
            }
        }
        parameterStore = new ParameterStore(manager, false);
    }

    /**
     * What one step did.
     *
     * @param step the model's step count afterwards
     * @param loss the batch's loss before the update
     * @param learningRate the rate the update used
     * @param gradientNorm global gradient norm before clipping
     * @param temperature {@code t} after the update
     * @param bias {@code b} after the update
     * @param skipped whether the update was dropped because the gradient was not finite
     */
    public record StepResult(
            long step,
            float loss,
            double learningRate,
            double gradientNorm,
            float temperature,
            float bias,
            boolean skipped) {}

    /** One training step on {@code batch}; returns its loss (before the update). */
    public StepResult step(TrainingBatch batch) {
        return applyUpdate(forwardBackward(batch));
    }

    /**
     * The loss on {@code batch} and its gradient with respect to every trainable parameter,
     * computed exactly as {@link #step} computes them, without the update.
     *
     * @param loss the batch's loss
     * @param byName each trainable parameter's gradient (flat, row-major) by its name as {@code
     *     Block.getParameters()} gives it, in the model's order
     */
    public record Gradients(float loss, java.util.Map<String, float[]> byName) {}

    /** {@link Gradients} of {@code batch}: forward and backward as {@link #step}, no update. */
    public Gradients gradients(TrainingBatch batch) {
        float loss = forwardBackward(batch);
        java.util.Map<String, float[]> byName = optimizer.gradients();
        optimizer.discardGradients();
        return new Gradients(loss, byName);
    }

    /** Forward and backward of {@link #step}: the gradients are left on the parameters. */
    private float forwardBackward(TrainingBatch batch) {
        float loss;
        try (NDManager stepManager = manager.newSubManager()) {
            NDList inputs = inputs(stepManager, batch);
            // Outside the collector: a cache miss embeds without recording a graph.
            NDArray cached = imageCache == null ? null : cachedImageEmbeddings(batch, inputs);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                if (captioner != null) {
                    loss =
                            captionStep.forwardBackward(
                                    collector,
                                    captioner,
                                    parameterStore,
                                    inputs.get(0),
                                    batch.tokenIds(),
                                    batch.mask(),
                                    inputs.get(1),
                                    inputs.get(2),
                                    batch.langs(),
                                    !imageLocked);
                } else if (limoeStep != null) {
                    LimoeLossStep.Result r =
                            limoeStep.forwardBackward(
                                    collector,
                                    (LimoeModel) model,
                                    parameterStore,
                                    inputs.get(0),
                                    inputs.get(1),
                                    inputs.get(2));
                    lastRouting = r.routing();
                    loss = r.contrastive();
                } else {
                    loss =
                            lossStep.forwardBackward(
                                    collector,
                                    model,
                                    parameterStore,
                                    inputs.get(0),
                                    texts(inputs),
                                    cached,
                                    !imageLocked);
                }
            }
        }
        return loss;
    }

    private StepResult applyUpdate(float loss) {
        AdamW.Update update = optimizer.step();
        return new StepResult(
                update.step(),
                loss,
                update.learningRate(),
                update.gradientNorm(),
                temperature(),
                bias(),
                update.skipped());
    }

    /** The loss on {@code batch} without training. */
    public float loss(TrainingBatch batch) {
        try (NDManager stepManager = manager.newSubManager()) {
            NDList in = inputs(stepManager, batch);
            if (captioner != null) {
                return captionStep.loss(
                        captioner,
                        parameterStore,
                        in.get(0),
                        batch.tokenIds(),
                        batch.mask(),
                        in.get(1),
                        in.get(2),
                        batch.langs());
            }
            if (limoeStep != null) {
                return limoeStep
                        .loss((LimoeModel) model, parameterStore, in.get(0), in.get(1), in.get(2))
                        .contrastive();
            }
            return lossStep.loss(model, parameterStore, in.get(0), texts(in));
        }
    }

    /**
     * The locked tower's embeddings of the batch's images (B, D) in the inputs' manager: from the
     * cache where every image is there, else computed for the whole batch and cached.
     */
    private NDArray cachedImageEmbeddings(TrainingBatch batch, NDList inputs) {
        int b = batch.size();
        int perImage = 3 * config.imageSize() * config.imageSize();
        int d = config.embedDim();
        List<String> keys = new ArrayList<>(b);
        float[] flat = new float[b * d];
        boolean complete = true;
        for (int i = 0; i < b; i++) {
            String key = ImageEmbeddingCache.key(batch.images(), i, perImage);
            keys.add(key);
            float[] e = imageCache.get(key);
            if (e == null) {
                complete = false;
            } else {
                System.arraycopy(e, 0, flat, i * d, d);
            }
        }
        NDManager m = inputs.get(0).getManager();
        if (complete) {
            return m.create(flat, new Shape(b, d));
        }
        NDArray computed = model.embedImages(parameterStore, inputs.get(0), false);
        float[] values = computed.toFloatArray();
        for (int i = 0; i < b; i++) {
            float[] e = new float[d];
            System.arraycopy(values, i * d, e, 0, d);
            imageCache.put(keys.get(i), e);
        }
        return computed;
    }

    /** Whether the image tower is locked (LiT). */
    public boolean imageLocked() {
        return imageLocked;
    }

    /** The locked image tower's embedding cache, or null when there is none. */
    public ImageEmbeddingCache imageCache() {
        return imageCache;
    }

    public LossConfig lossConfig() {
        return lossStep.config();
    }

    /** Unit-length image embeddings, {@code B x D}, of images in batch layout. */
    public float[][] embedImages(float[] images, int count) {
        try (NDManager m = manager.newSubManager()) {
            NDArray in =
                    m.create(images, new Shape(count, 3, config.imageSize(), config.imageSize()));
            return rows(model.embedImages(parameterStore, in, false), count);
        }
    }

    /** Unit-length text embeddings, {@code B x D}, of padded ids and their mask. */
    public float[][] embedTexts(int[] ids, float[] mask, int count) {
        if (config.family() == ModelFamily.CLIPPO) {
            throw new IllegalStateException(
                    "a CLIPPO model reads captions rendered as images: use embedRenderedTexts");
        }
        try (NDManager m = manager.newSubManager()) {
            Shape shape = new Shape(count, config.contextLength());
            NDArray out =
                    model.embedTexts(
                            parameterStore,
                            new NDList(m.create(ids, shape), m.create(mask, shape)),
                            false);
            return rows(out, count);
        }
    }

    /**
     * Unit-length text embeddings, {@code B x D}, of captions rendered as images in batch layout
     * ({@link ClippoRendering#putRendered}): a CLIPPO model's texts.
     */
    public float[][] embedRenderedTexts(float[] rendered, int count) {
        if (config.family() != ModelFamily.CLIPPO) {
            throw new IllegalStateException(
                    "a " + config.family() + " model reads token ids, not rendered captions");
        }
        try (NDManager m = manager.newSubManager()) {
            NDArray in =
                    m.create(rendered, new Shape(count, 3, config.imageSize(), config.imageSize()));
            return rows(model.embedTexts(parameterStore, new NDList(in), false), count);
        }
    }

    private float[][] rows(NDArray embeddings, int count) {
        float[] flat = embeddings.toFloatArray();
        int d = config.embedDim();
        float[][] out = new float[count][d];
        for (int i = 0; i < count; i++) {
            System.arraycopy(flat, i * d, out[i], 0, d);
        }
        return out;
    }

    /** Writes {@link #PARAMETERS_FILE} and {@link #OPTIMIZER_FILE} into {@code folder}. */
    public void save(Path folder) throws IOException {
        Files.createDirectories(folder);
        try (DataOutputStream out =
                new DataOutputStream(
                        new BufferedOutputStream(
                                Files.newOutputStream(folder.resolve(PARAMETERS_FILE))))) {
            network().saveParameters(out);
        }
        optimizer.save(folder.resolve(OPTIMIZER_FILE));
    }

    private NDList inputs(NDManager m, TrainingBatch batch) {
        if (batch.imageSize() != config.imageSize()
                || batch.contextLength() != config.contextLength()) {
            throw new IllegalArgumentException(
                    "batch of "
                            + batch.imageSize()
                            + " px / "
                            + batch.contextLength()
                            + " tokens does not fit the model's "
                            + config.imageSize()
                            + " px / "
                            + config.contextLength());
        }
        int b = batch.size();
        NDArray images =
                m.create(batch.images(), new Shape(b, 3, config.imageSize(), config.imageSize()));
        if (config.family() == ModelFamily.CLIPPO) {
            if (batch.renderedTexts().length == 0) {
                throw new IllegalArgumentException(
                        "a CLIPPO model needs the batch's rendered captions; this batch has none");
            }
            NDArray rendered =
                    m.create(
                            batch.renderedTexts(),
                            new Shape(b, 3, config.imageSize(), config.imageSize()));
            return new NDList(images, rendered);
        }
        Shape text = new Shape(b, config.contextLength());
        NDArray ids = m.create(batch.tokenIds(), text);
        NDArray mask = m.create(batch.mask(), text);
        return new NDList(images, ids, mask);
    }

    /** The text side of {@link #inputs}: (ids, mask), or the rendered captions (CLIPPO). */
    private static NDList texts(NDList inputs) {
        return inputs.subNDList(1);
    }

    /** Optimizer steps taken so far, including those of the checkpoint this was restored from. */
    public long steps() {
        return optimizer.stepCount();
    }

    /** The temperature {@code t = exp(t')}. */
    public float temperature() {
        return (float) Math.exp(model.logTemperature().getArray().getFloat());
    }

    /** The bias {@code b}. */
    public float bias() {
        return model.bias().getArray().getFloat();
    }

    /**
     * The two-tower model.
     *
     * @throws IllegalStateException when the session trains another family ({@link
     *     #contrastiveModel})
     */
    public SiglipModel model() {
        return twoTower();
    }

    /** The model, whatever its family. */
    public ContrastiveModel contrastiveModel() {
        return model;
    }

    /** The captioner, or null when this session trains two towers. */
    public CaptionerModel captioner() {
        return captioner;
    }

    /**
     * Whether {@link #embedImages} and {@link #embedTexts} give trained embeddings: false for a
     * captioner trained without the pairwise loss (its text tower is never trained).
     */
    public boolean hasEmbeddings() {
        return captioner == null || config.decoder().contrastive();
    }

    /**
     * Greedy captions ({@link GreedyDecoder}) of {@code count} images in batch layout, each in its
     * language; ids without the end-of-sequence id {@code eos}.
     *
     * @throws IllegalStateException when this session trains no captioner
     */
    public int[][] caption(float[] images, int count, List<String> langs, int eos) {
        if (captioner == null) {
            throw new IllegalStateException("a " + config.family() + " model writes no captions");
        }
        try (NDManager m = manager.newSubManager()) {
            NDArray in =
                    m.create(images, new Shape(count, 3, config.imageSize(), config.imageSize()));
            return GreedyDecoder.decode(captioner, parameterStore, in, langs, eos);
        }
    }

    /**
     * How the last training step routed its tokens (LIMoE), or null: for other families and before
     * the first step.
     */
    public RoutingStats lastRouting() {
        return lastRouting;
    }

    /** {@link #lastRouting()} as flat metrics ({@link RoutingStats#metrics}); empty when none. */
    public java.util.Map<String, Double> routingMetrics() {
        return lastRouting == null ? java.util.Map.of() : lastRouting.metrics();
    }

    private SiglipModel twoTower() {
        if (model instanceof SiglipModel siglip) {
            return siglip;
        }
        throw new IllegalStateException(
                "this session trains a " + config.family() + " model, not two towers");
    }

    public ModelConfig config() {
        return config;
    }

    public NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        optimizer.close();
        manager.close();
    }
}
