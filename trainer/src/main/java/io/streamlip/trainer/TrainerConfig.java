package io.streamlip.trainer;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonPOJOBuilder;
import io.streamlip.platform.bounds.RecordBounds;
import io.streamlip.tokenize.ByteTokenizer;
import io.streamlip.tokenize.CaptionTokenizer;
import io.streamlip.tokenize.render.TextRenderConfig;
import io.streamlip.trainer.data.ShuffleConfig;
import io.streamlip.trainer.device.DeviceChoice;
import io.streamlip.trainer.loss.LossConfig;
import io.streamlip.trainer.model.LitConfig;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.model.ModelFamily;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the trainer needs to know, with documented defaults ({@link #defaults()}). Each
 * component's comment below says what it is and its default; why the defaults are what they are is
 * in docs/decisions/trainer-defaults.md. Built with {@link #builder()} (the defaults) or {@link
 * #toBuilder()}; JSON maps onto the builder by component name, nested configs as nested objects.
 */
@JsonDeserialize(builder = TrainerConfig.Builder.class)
public record TrainerConfig(
        // model shape; default ModelConfig.small over the byte tokenizer
        // (Builder.tokenizerAndModelVocabulary sizes its vocabulary)
        ModelConfig model,
        // AdamW and its schedule; default peak rate 5e-4, 100 warmup steps, cosine over 5000 steps
        OptimizerConfig optimizer,
        // examples per step; default 128
        int batchSize,
        // steps between checkpoints, one more when the run stops; default 200
        int checkpointEvery,
        // also a checkpoint once this long has passed since the first step or the last one (so
        // that models come at a steady pace when steps are slow); default null (steps only)
        Duration checkpointInterval,
        // steps between held-out evaluations (each also checkpoints; the final checkpoint is always
        // evaluated); default 1000
        int evalEvery,
        // newest checkpoints kept, never fewer than 2; default 3
        int keepCheckpoints,
        // folder of the step-NNNNNNNN checkpoint folders; default "checkpoints"
        Path checkpointDir,
        // Kafka consumer group (experiments on one topic use different groups); default
        // "streamlip-trainer"
        String consumerGroup,
        // names model versions <runName>/step-NNNNNNNN, at most MAX_RUN_NAME_CHARS; default null:
        // the model family's name (resolvedRunName: siglip, clippo, limoe, captioner)
        String runName,
        // seeds the parameter initialisation; default 42
        int seed,
        // PyTorch intra-op threads; default 2 (tests use 1)
        int threads,
        // batches read, decoded and assembled on a thread of their own ahead of the step (0: on
        // the training thread, between steps); default 1
        int prefetchBatches,
        // steps between progress log lines; default 10
        int logEvery,
        // tokenizer the model reads; others' examples are skipped, each checkpoint keeps a copy;
        // default the byte tokenizer
        CaptionTokenizer tokenizer,
        // wait for a batch before checking the stop conditions again; default 1 s
        Duration pollTimeout,
        // held-out pairs folder, evaluated every evalEvery steps and at the end; default null
        // (none)
        Path evalSet,
        // re-read the topic from its earliest record after this long idle; default null (never)
        Duration replayAfterIdle,
        // the loss and its chunking; default LossConfig.defaults(), the whole-matrix sigmoid loss
        LossConfig loss,
        // locked-image tuning (image tower from a checkpoint, frozen); default null (both towers
        // train)
        LitConfig lit,
        // where the model trains; default AUTO (the GPU when DJL sees one, needs the cuda build)
        DeviceChoice device,
        // shuffle buffer, backpressure, language sampling; default ShuffleConfig.defaults() (2048,
        // 1024 on heap)
        ShuffleConfig shuffle,
        // JSON-lines metrics every logEvery steps and each evaluation; default null
        // (checkpointDir/metrics.jsonl)
        Path metricsFile,
        // a checkpoint (or folder of them, e.g. one `streamlip model import` wrote) whose
        // parameters start a new run instead of random ones; its model shape and tokenizer must be
        // this run's; unused when the run resumes from a checkpoint of its own; default null
        Path initFrom,
        // CLIPPO: how the tokenize job renders captions (its font and settings), to render the
        // evaluation texts alike; each checkpoint keeps a copy. Needed by a CLIPPO model with an
        // evalSet, refused with another family; default null
        TextRenderConfig render) {

    public TrainerConfig {
        if (loss == null) {
            loss = LossConfig.defaults();
        }
        if (shuffle == null) {
            throw new IllegalArgumentException("shuffle must be set");
        }
        if (shuffle.capacity() < batchSize) {
            throw new IllegalArgumentException(
                    "the shuffle buffer ("
                            + shuffle.capacity()
                            + ") must hold at least one batch ("
                            + batchSize
                            + ")");
        }
        if (model == null || optimizer == null || checkpointDir == null || tokenizer == null) {
            throw new IllegalArgumentException(
                    "model, optimizer, checkpointDir and tokenizer must be set");
        }
        if (model.vocabSize() < tokenizer.vocabSize()) {
            throw new IllegalArgumentException(
                    "the model's vocabulary ("
                            + model.vocabSize()
                            + " ids) is smaller than the tokenizer's ("
                            + tokenizer.version()
                            + ", "
                            + tokenizer.vocabSize()
                            + " ids): size it with Builder.tokenizerAndModelVocabulary");
        }
        if (batchSize < 2) {
            throw new IllegalArgumentException(
                    "batchSize must be at least 2 (the loss needs negatives), got " + batchSize);
        }
        atLeastOne("checkpointEvery", checkpointEvery);
        if (checkpointInterval != null
                && (checkpointInterval.isNegative() || checkpointInterval.isZero())) {
            throw new IllegalArgumentException(
                    "checkpointInterval must be positive (or null for steps only), got "
                            + checkpointInterval);
        }
        atLeastOne("evalEvery", evalEvery);
        atLeastOne("keepCheckpoints", keepCheckpoints);
        atLeastOne("threads", threads);
        if (prefetchBatches < 0 || prefetchBatches > MAX_PREFETCH_BATCHES) {
            throw new IllegalArgumentException(
                    "prefetchBatches must be 0 (off) to "
                            + MAX_PREFETCH_BATCHES
                            + ", got "
                            + prefetchBatches);
        }
        atLeastOne("logEvery", logEvery);
        if (replayAfterIdle != null && (replayAfterIdle.isNegative() || replayAfterIdle.isZero())) {
            throw new IllegalArgumentException(
                    "replayAfterIdle must be positive (or null for never), got " + replayAfterIdle);
        }
        if (device == null) {
            throw new IllegalArgumentException("device must be set (auto, cpu or gpu)");
        }
        if (render != null && model.family() != ModelFamily.CLIPPO) {
            throw new IllegalArgumentException(
                    "render (caption rendering) goes with a CLIPPO model, not " + model.family());
        }
        if (render == null && evalSet != null && model.family() == ModelFamily.CLIPPO) {
            throw new IllegalArgumentException(
                    "a CLIPPO model evaluates on captions rendered as the tokenize job renders"
                            + " them: set render (the font, e.g. --render-font) with evalSet");
        }
        if (consumerGroup == null || consumerGroup.isBlank()) {
            throw new IllegalArgumentException("consumerGroup must be set");
        }
        if (runName != null && (runName.isBlank() || runName.length() > MAX_RUN_NAME_CHARS)) {
            throw new IllegalArgumentException(
                    "runName must be 1 to "
                            + MAX_RUN_NAME_CHARS
                            + " characters (or null for the model family's name), got "
                            + (runName.isBlank() ? "a blank one" : runName.length()));
        }
    }

    /**
     * Longest run name: a model version {@code <runName>/step-N} of any step then fits the bound
     * every record that carries it holds ({@link RecordBounds#MAX_MODEL_VERSION_CHARS}).
     */
    public static final int MAX_RUN_NAME_CHARS =
            // "/step-" and the 19 digits of the largest step, Long.MAX_VALUE
            RecordBounds.MAX_MODEL_VERSION_CHARS - 6 - 19;

    /** Most batches prefetched ahead of the step (each holds a batch's images as floats). */
    public static final int MAX_PREFETCH_BATCHES = 8;

    /** The documented defaults. */
    public static TrainerConfig defaults() {
        return builder().build();
    }

    /** A builder holding the documented defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values. */
    public Builder toBuilder() {
        return new Builder()
                .model(model)
                .optimizer(optimizer)
                .batchSize(batchSize)
                .checkpointEvery(checkpointEvery)
                .checkpointInterval(checkpointInterval)
                .evalEvery(evalEvery)
                .keepCheckpoints(keepCheckpoints)
                .checkpointDir(checkpointDir)
                .consumerGroup(consumerGroup)
                .runName(runName)
                .seed(seed)
                .threads(threads)
                .prefetchBatches(prefetchBatches)
                .logEvery(logEvery)
                .tokenizer(tokenizer)
                .pollTimeout(pollTimeout)
                .evalSet(evalSet)
                .replayAfterIdle(replayAfterIdle)
                .loss(loss)
                .lit(lit)
                .device(device)
                .shuffle(shuffle)
                .metricsFile(metricsFile)
                .initFrom(initFrom)
                .render(render);
    }

    /** The version of {@link #tokenizer()}: the only one whose examples are trained on. */
    public String tokenizerVersion() {
        return tokenizer.version();
    }

    /** The tokenizer's end-of-sequence id, put at the end of truncated captions. */
    public int eosId() {
        return tokenizer.eosId();
    }

    /**
     * The name of this run's model versions ({@code <name>/step-NNNNNNNN}): {@code runName} when
     * set, else the model family's ({@link #familyRunName}).
     */
    public String resolvedRunName() {
        return runName != null ? runName : familyRunName(model.family());
    }

    /**
     * The run name a model of {@code family} gets by default: {@code siglip} (two towers), {@code
     * clippo}, {@code limoe}, {@code captioner}.
     */
    public static String familyRunName(ModelFamily family) {
        return switch (family) {
            case TWO_TOWER -> "siglip";
            case CLIPPO -> "clippo";
            case LIMOE -> "limoe";
            case CAPTIONER -> "captioner";
        };
    }

    /**
     * Where the metrics lines go: {@code metricsFile}, else {@code checkpointDir/metrics.jsonl}.
     */
    public Path resolvedMetricsFile() {
        return metricsFile != null ? metricsFile : checkpointDir.resolve("metrics.jsonl");
    }

    private static void atLeastOne(String component, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(component + " must be at least 1, got " + value);
        }
    }

    /**
     * Sets components one by one, starting from the documented defaults; {@link #build} validates
     * them together.
     */
    @JsonPOJOBuilder(withPrefix = "")
    public static final class Builder {
        private ModelConfig model;
        private OptimizerConfig optimizer =
                OptimizerConfig.builder()
                        .learningRate(5e-4)
                        .warmupSteps(100)
                        .scheduleSteps(5000)
                        .build();
        private int batchSize = 128;
        private int checkpointEvery = 200;
        private Duration checkpointInterval;
        private int evalEvery = 1000;
        private int keepCheckpoints = 3;
        private Path checkpointDir = Path.of("checkpoints");
        private String consumerGroup = "streamlip-trainer";
        private String runName;
        private int seed = 42;
        private int threads = 2;
        private int prefetchBatches = 1;
        private int logEvery = 10;
        private CaptionTokenizer tokenizer = new ByteTokenizer(32);
        private Duration pollTimeout = Duration.ofSeconds(1);
        private Path evalSet;
        private Duration replayAfterIdle;
        private LossConfig loss = LossConfig.defaults();
        private LitConfig lit;
        private DeviceChoice device = DeviceChoice.AUTO;
        private ShuffleConfig shuffle = ShuffleConfig.defaults();
        private Path metricsFile;
        private Path initFrom;
        private TextRenderConfig render;

        private Builder() {
            model = ModelConfig.small(tokenizer.vocabSize());
        }

        public Builder model(ModelConfig v) {
            model = v;
            return this;
        }

        public Builder optimizer(OptimizerConfig v) {
            optimizer = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder checkpointEvery(int v) {
            checkpointEvery = v;
            return this;
        }

        public Builder checkpointInterval(Duration v) {
            checkpointInterval = v;
            return this;
        }

        public Builder evalEvery(int v) {
            evalEvery = v;
            return this;
        }

        public Builder keepCheckpoints(int v) {
            keepCheckpoints = v;
            return this;
        }

        public Builder checkpointDir(Path v) {
            checkpointDir = v;
            return this;
        }

        public Builder consumerGroup(String v) {
            consumerGroup = v;
            return this;
        }

        public Builder runName(String v) {
            runName = v;
            return this;
        }

        public Builder seed(int v) {
            seed = v;
            return this;
        }

        public Builder threads(int v) {
            threads = v;
            return this;
        }

        public Builder prefetchBatches(int v) {
            prefetchBatches = v;
            return this;
        }

        public Builder logEvery(int v) {
            logEvery = v;
            return this;
        }

        public Builder tokenizer(CaptionTokenizer v) {
            tokenizer = v;
            return this;
        }

        public Builder pollTimeout(Duration v) {
            pollTimeout = v;
            return this;
        }

        public Builder evalSet(Path v) {
            evalSet = v;
            return this;
        }

        public Builder replayAfterIdle(Duration v) {
            replayAfterIdle = v;
            return this;
        }

        public Builder loss(LossConfig v) {
            loss = v;
            return this;
        }

        public Builder lit(LitConfig v) {
            lit = v;
            return this;
        }

        public Builder device(DeviceChoice v) {
            device = v;
            return this;
        }

        public Builder shuffle(ShuffleConfig v) {
            shuffle = v;
            return this;
        }

        public Builder render(TextRenderConfig v) {
            render = v;
            return this;
        }

        public Builder metricsFile(Path v) {
            metricsFile = v;
            return this;
        }

        public Builder initFrom(Path v) {
            initFrom = v;
            return this;
        }

        /**
         * Reads {@code t}'s ids: sets the tokenizer and sizes the model set so far to its
         * vocabulary (the rest of its shape stays). Call it after {@link #model}.
         */
        public Builder tokenizerAndModelVocabulary(CaptionTokenizer t) {
            tokenizer = t;
            model = model.toBuilder().vocabSize(t.vocabSize()).build();
            return this;
        }

        public TrainerConfig build() {
            return new TrainerConfig(
                    model,
                    optimizer,
                    batchSize,
                    checkpointEvery,
                    checkpointInterval,
                    evalEvery,
                    keepCheckpoints,
                    checkpointDir,
                    consumerGroup,
                    runName,
                    seed,
                    threads,
                    prefetchBatches,
                    logEvery,
                    tokenizer,
                    pollTimeout,
                    evalSet,
                    replayAfterIdle,
                    loss,
                    lit,
                    device,
                    shuffle,
                    metricsFile,
                    initFrom,
                    render);
        }
    }
}
