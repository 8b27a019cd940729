package io.streamlip.app;

import io.streamlip.trainer.TrainerConfig;
import io.streamlip.trainer.data.ShuffleConfig;
import io.streamlip.trainer.device.DeviceChoice;
import io.streamlip.trainer.limoe.MoeConfig;
import io.streamlip.trainer.loss.LossConfig;
import io.streamlip.trainer.model.DecoderConfig;
import io.streamlip.trainer.model.LitConfig;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The trainer's settings as command-line options, shared by {@code streamlip train} and {@code
 * streamlip demo}: model preset and pooling, loss, optimizer schedule, LiT, shuffle buffer,
 * language mix and checkpoint/evaluation cadence. {@link #applyTo} turns them into a {@link
 * TrainerConfig}. Every default shown by {@code --help} is read from {@link
 * TrainerConfig#defaults()} (and the configs it holds), so the help and the config cannot disagree.
 */
final class TrainerOptions {
    private static final TrainerConfig DEFAULTS = TrainerConfig.defaults();
    private static final ShuffleConfig SHUFFLE = DEFAULTS.shuffle();

    @Option(
            names = "--model",
            paramLabel = "PRESET",
            description =
                    "Model preset. Two towers: tiny (tests), small (CPU), b16"
                            + " (google/siglip-base-patch16-224's architecture, for a GPU), so400m"
                            + " (SigLIP So400m/14 at 224 px). CLIPPO, one tower for images and"
                            + " captions rendered as images: clippo-tiny, clippo-small (48 px),"
                            + " clippo-b16. LIMoE, one sparse mixture-of-experts transformer for"
                            + " both modalities: limoe-tiny, limoe-small, limoe-b16 (GPU). PaLI-style"
                            + " captioner, the image tower feeding a text decoder: captioner-tiny,"
                            + " captioner-small, captioner-b16 (GPU). Examples"
                            + " must come at the preset's image size (b16: 224 px) and, for CLIPPO,"
                            + " with rendered captions: the demo's tokenize job follows it; on a"
                            + " cluster give 'streamlip submit' the same --model (default:"
                            + " ${DEFAULT-VALUE}).")
    String model = DEFAULTS.model().name();

    @Option(
            names = "--caption-contrastive",
            description =
                    "With a captioner preset (--model captioner-tiny, captioner-small,"
                            + " captioner-b16): also train SigLIP's sigmoid loss on the same image"
                            + " tower beside the caption decoder (as SigLIP 2 does), which gives the"
                            + " captioner retrieval metrics and lets it score pairs.")
    boolean captionContrastive;

    @Option(
            names = {"--pooling", "--image-pooling"},
            paramLabel = "map|mean",
            description =
                    "How the image tower pools its patches: map (attention pooling, SigLIP's) or"
                            + " mean (default: the preset's: "
                            + "tiny mean, small mean, b16 map).")
    String imagePooling;

    @Option(
            names = "--text-pooling",
            paramLabel = "mean|last|final",
            description =
                    "How the text tower pools its tokens: mean over the non-padding tokens, the"
                            + " last (end-of-sequence) token, or final: the last position with"
                            + " padding attended, as Hugging Face SigLIP (default: the preset's: "
                            + "tiny mean, small mean, b16 final).")
    String textPooling;

    // LIMoE (--model limoe-*): overrides of the preset's experts, routing and auxiliary losses.
    @Option(
            names = "--experts",
            paramLabel = "E",
            description =
                    "LIMoE: experts per sparse block (1 makes the dense baseline) (default: the"
                            + " preset's: limoe-tiny 4, limoe-small 8, limoe-b16 8).")
    Integer experts;

    @Option(
            names = "--top-k",
            paramLabel = "K",
            description = "LIMoE: experts each token is sent to (default: the preset's, 1).")
    Integer topK;

    @Option(
            names = "--capacity-factor",
            paramLabel = "C",
            description =
                    "LIMoE: slots per expert as a multiple of an even share of the assignments;"
                            + " tokens beyond skip the block (default: the preset's, 1.0).")
    Double capacityFactor;

    @Option(
            names = "--moe-layers",
            paramLabel = "I,J,...",
            split = ",",
            description =
                    "LIMoE: indices (from 0) of the blocks whose MLP is sparse (default: the"
                            + " preset's: every other block, 1, 3, ...).")
    List<Integer> moeLayers;

    @Option(
            names = "--batch-priority",
            paramLabel = "true|false",
            arity = "1",
            description =
                    "LIMoE: Batch Priority Routing, the most confident tokens fill the experts"
                            + " first; false routes in token order (default: the preset's, true).")
    Boolean batchPriority;

    @Option(
            names = "--local-entropy-weight",
            paramLabel = "W",
            description =
                    "LIMoE: weight of the local entropy loss, mean per-token routing entropy"
                            + " (default: the preset's, 0.1).")
    Double localEntropyWeight;

    @Option(
            names = "--global-entropy-weight",
            paramLabel = "W",
            description =
                    "LIMoE: weight of the global entropy loss, max(0, tau - entropy of a"
                            + " modality's mean routing) (default: the preset's, 0.1).")
    Double globalEntropyWeight;

    @Option(
            names = "--global-entropy-threshold",
            paramLabel = "TAU",
            description =
                    "LIMoE: tau in nats, at most log E (default: the preset's, about 0.9 log E).")
    Double globalEntropyThreshold;

    @Option(
            names = "--batch-size",
            paramLabel = "B",
            description = "Examples per step (default: ${DEFAULT-VALUE}).")
    int batchSize = DEFAULTS.batchSize();

    @Option(
            names = "--loss",
            paramLabel = "sigmoid|chunked|softmax",
            description =
                    "sigmoid: SigLIP's pairwise sigmoid loss over the whole logit matrix;"
                            + " chunked: the same loss one block at a time (--loss-chunks);"
                            + " softmax: CLIP's loss, the baseline (default: ${DEFAULT-VALUE}).")
    String loss = DEFAULTS.loss().chunked() ? "chunked" : lossName(DEFAULTS.loss().kind());

    @Option(
            names = "--loss-chunks",
            paramLabel = "N",
            description =
                    "With --loss chunked: split the batch into N parts, so only one (B/N)² block"
                            + " of the logit matrix exists at a time; 2 to the batch size"
                            + " (default: ${DEFAULT-VALUE}, the whole matrix).")
    int lossChunks = DEFAULTS.loss().chunks();

    @Option(
            names = "--lr",
            paramLabel = "RATE",
            description =
                    "Peak learning rate of AdamW, reached after the warmup (default: ${DEFAULT-VALUE}).")
    double learningRate = DEFAULTS.optimizer().learningRate();

    @Option(
            names = "--warmup-steps",
            paramLabel = "N",
            description = "Steps of linear warmup from 0 (default: ${DEFAULT-VALUE}).")
    int warmupSteps = DEFAULTS.optimizer().warmupSteps();

    @Option(
            names = "--total-steps",
            paramLabel = "N",
            description =
                    "Step at which the cosine decay reaches its floor; the rate stays there"
                            + " afterwards, as a stream has no end (default: ${DEFAULT-VALUE}).")
    int totalSteps = DEFAULTS.optimizer().scheduleSteps();

    @Option(
            names = "--lit-from",
            paramLabel = "CHECKPOINT_DIR",
            description =
                    "Locked-image tuning: take the image tower from this checkpoint (or the newest"
                            + " in this checkpoint folder), freeze it and train only the text"
                            + " tower; the --model's image tower must have its shape"
                            + " (default: train both towers).")
    Path litFrom;

    @Option(
            names = "--init-from",
            paramLabel = "CHECKPOINT_DIR",
            description =
                    "Start a new run from this checkpoint's parameters (or the newest in this"
                            + " checkpoint folder), e.g. a public SigLIP that `streamlip model"
                            + " import` wrote, instead of random ones: its model must be the"
                            + " --model preset's shape and its tokenizer the run's (--tokenizer"
                            + " CHECKPOINT_DIR/step-00000000); a run that resumes from its own"
                            + " checkpoints ignores it (default: random initialisation).")
    Path initFrom;

    @Option(
            names = "--lit-cache-embeddings",
            arity = "1",
            paramLabel = "true|false",
            description =
                    "With --lit-from: keep the locked tower's embeddings of images seen before"
                            + " instead of recomputing them (default: ${DEFAULT-VALUE}).")
    boolean litCacheEmbeddings = LitConfig.from(Path.of(".")).cacheImageEmbeddings();

    @Option(
            names = "--shuffle-buffer",
            paramLabel = "N",
            description =
                    "Examples in the shuffle buffer batches are drawn from; Kafka is paused while"
                            + " it is full and resumed below half (default: ${DEFAULT-VALUE}, or"
                            + " one batch if that is larger; streamlip demo: one batch, as its"
                            + " import comes shuffled and paced by the trainer).")
    int shuffleBuffer = SHUFFLE.capacity();

    @Option(
            names = "--shuffle-heap",
            paramLabel = "N",
            description =
                    "Examples of the buffer kept on the heap; the rest spill to RocksDB on disk"
                            + " (default: ${DEFAULT-VALUE}; all of them when the buffer is smaller or"
                            + " was grown to one batch).")
    int shuffleHeap = SHUFFLE.memoryCapacity();

    @Option(
            names = "--spill-dir",
            paramLabel = "DIR",
            description =
                    "Parent folder of the buffer's spill store (default: the system's temporary"
                            + " folder).")
    Path spillDir = SHUFFLE.spillDir();

    @Option(
            names = "--replay-cache-mib",
            paramLabel = "MIB",
            description =
                    "MiB of decoded examples kept in memory for replays (a finite input read again,"
                            + " as the demo does): a replay then reads neither Kafka nor the Avro"
                            + " records again; a topic over it is replayed from Kafka; 0 turns it"
                            + " off (default: ${DEFAULT-VALUE}; the default demo's 78,635 examples"
                            + " at 32 px take about 280 MiB).")
    int replayCacheMib = SHUFFLE.replayCacheMib();

    @Option(
            names = "--language-weights",
            split = ",",
            paramLabel = "LANG=WEIGHT",
            description =
                    "Sampling weights per language, e.g. en=1,fr=0.5: an example of language L is"
                            + " kept with probability w(L) / max w, the others passed over"
                            + " (default: keep every language).")
    Map<String, Double> languageWeights;

    @Option(
            names = "--default-language-weight",
            paramLabel = "WEIGHT",
            description =
                    "With --language-weights: the weight of languages it does not list"
                            + " (default: ${DEFAULT-VALUE}).")
    double defaultLanguageWeight = SHUFFLE.defaultWeight();

    @Option(
            names = "--checkpoint-every",
            paramLabel = "N",
            description =
                    "Steps between checkpoints, each announced as a model update; one is also"
                            + " written when the run stops (streamlip demo: "
                            + DemoConfig.CHECKPOINT_EVERY
                            + ", so that its filter gets a first model within a minute) (default:"
                            + " ${DEFAULT-VALUE}).")
    int checkpointEvery = DEFAULTS.checkpointEvery();

    @Option(
            names = "--checkpoint-interval-s",
            paramLabel = "S",
            description =
                    "Also checkpoint once S seconds have passed since the first step or the last"
                            + " checkpoint, however slow the steps (streamlip demo: "
                            + DemoConfig.CHECKPOINT_INTERVAL_S
                            + "; default: steps only).")
    Double checkpointIntervalSeconds;

    @Option(
            names = "--eval-every",
            paramLabel = "N",
            description =
                    "Steps between evaluations of the held-out set; the last checkpoint is always"
                            + " evaluated (default: ${DEFAULT-VALUE}).")
    int evalEvery = DEFAULTS.evalEvery();

    @Option(
            names = "--keep-checkpoints",
            paramLabel = "K",
            description = "How many of the newest checkpoints to keep (default: ${DEFAULT-VALUE}).")
    int keepCheckpoints = DEFAULTS.keepCheckpoints();

    @Option(
            names = "--threads",
            paramLabel = "T",
            description = "PyTorch intra-op threads (default: ${DEFAULT-VALUE}).")
    int threads = DEFAULTS.threads();

    @Option(
            names = "--prefetch-batches",
            paramLabel = "N",
            description =
                    "Batches read, decoded and assembled on a thread of their own while the step"
                            + " runs, 0 to read them on the training thread between steps"
                            + " (default: ${DEFAULT-VALUE}).")
    int prefetchBatches = DEFAULTS.prefetchBatches();

    @Option(
            names = "--device",
            paramLabel = "auto|cpu|gpu",
            description =
                    "Where the trainer computes: auto takes the GPU when DJL sees one (a CUDA"
                            + " build, README: Running on a CUDA host); gpu fails without one"
                            + " (default: ${DEFAULT-VALUE}).")
    String device = DEFAULTS.device().name().toLowerCase(Locale.ROOT);

    @Option(
            names = "--run-name",
            paramLabel = "NAME",
            description =
                    "Names the run's model versions NAME/step-N (in checkpoints, model updates and"
                            + " every pair a model scored), at most "
                            + TrainerConfig.MAX_RUN_NAME_CHARS
                            + " characters (default: the model family's: siglip, clippo, limoe or"
                            + " captioner).")
    String runName;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /**
     * {@code base} with these options applied: model, loss, optimizer schedule, batch, shuffle
     * buffer, language mix, checkpoint and evaluation cadence, LiT, threads, device and run name
     * (else {@code base}'s, by default the model family's). The model preset keeps {@code base}'s
     * vocabulary size (its tokenizer's), the checkpoint cadence is {@code base}'s unless given; the
     * checkpoint folder, consumer group and evaluation set stay {@code base}'s.
     *
     * @throws CommandLine.ParameterException naming the option when a value is invalid
     */
    TrainerConfig applyTo(TrainerConfig base) {
        LossConfig lossConfig = lossConfig();
        if (lossConfig.chunks() > batchSize) {
            throw fail(
                    "--loss-chunks "
                            + lossConfig.chunks()
                            + " exceeds --batch-size "
                            + batchSize
                            + ": every chunk needs at least one example");
        }
        OptimizerConfig optimizer;
        try {
            double peak = positive("--lr", learningRate);
            optimizer =
                    base.optimizer().toBuilder()
                            .learningRate(peak)
                            .minLearningRate(Math.min(base.optimizer().minLearningRate(), peak))
                            .warmupSteps(warmupSteps)
                            .scheduleSteps(totalSteps)
                            .build();
        } catch (IllegalArgumentException e) {
            throw fail("--warmup-steps / --total-steps: " + e.getMessage());
        }
        DeviceChoice deviceChoice;
        try {
            deviceChoice = DeviceChoice.parse(device);
        } catch (IllegalArgumentException e) {
            throw fail("--device: " + e.getMessage());
        }
        TrainerConfig.Builder config =
                base.toBuilder()
                        .model(modelConfig(base.model().vocabSize()))
                        .optimizer(optimizer)
                        .batchSize(batchSize)
                        .shuffle(shuffleConfig(base.shuffle()))
                        .loss(lossConfig)
                        .checkpointEvery(
                                given("--checkpoint-every")
                                        ? checkpointEvery
                                        : base.checkpointEvery())
                        .checkpointInterval(checkpointInterval(base))
                        .evalEvery(evalEvery)
                        .keepCheckpoints(keepCheckpoints)
                        .threads(threads)
                        .prefetchBatches(prefetchBatches)
                        .device(deviceChoice)
                        .lit(litConfig())
                        .initFrom(initFrom())
                        .runName(runName != null ? runName : base.runName());
        try {
            return config.build();
        } catch (IllegalArgumentException e) {
            throw fail(namingTheOption(e.getMessage()));
        }
    }

    /**
     * {@code message} from {@link TrainerConfig}'s validation with the component it starts with
     * replaced by the option that sets it, when an option field has the component's name.
     */
    private String namingTheOption(String message) {
        for (OptionSpec option : spec.options()) {
            if (option.userObject() instanceof Field field
                    && field.getDeclaringClass() == TrainerOptions.class
                    && message.startsWith(field.getName() + " ")) {
                return option.longestName() + message.substring(field.getName().length());
            }
        }
        return message;
    }

    /** {@code --checkpoint-interval-s}, else {@code base}'s; 0 turns it off. */
    private Duration checkpointInterval(TrainerConfig base) {
        if (checkpointIntervalSeconds == null) {
            return base.checkpointInterval();
        }
        if (!(checkpointIntervalSeconds >= 0) || checkpointIntervalSeconds.isInfinite()) {
            throw fail("--checkpoint-interval-s must be 0 (off) or positive");
        }
        return checkpointIntervalSeconds == 0
                ? null
                : Duration.ofMillis(Math.round(checkpointIntervalSeconds * 1000));
    }

    private ModelConfig modelConfig(int vocabSize) {
        ModelConfig.Builder m;
        try {
            m = ModelConfig.preset(model.trim().toLowerCase(Locale.ROOT), vocabSize).toBuilder();
        } catch (IllegalArgumentException e) {
            throw fail("--model: " + e.getMessage());
        }
        if (imagePooling != null) {
            m.imagePooling(choice("--pooling", imagePooling, ModelConfig.ImagePooling.class));
        }
        if (textPooling != null) {
            m.textPooling(choice("--text-pooling", textPooling, ModelConfig.TextPooling.class));
        }
        if (captionContrastive) {
            DecoderConfig decoder = m.build().decoder();
            if (decoder == null) {
                throw fail("--caption-contrastive needs a captioner --model, not " + model.trim());
            }
            m.decoder(decoder.withContrastive(true));
        }
        try {
            ModelConfig built = m.build();
            return built.toBuilder().moe(moeConfig(built)).build();
        } catch (IllegalArgumentException e) {
            throw fail("--model: " + e.getMessage());
        }
    }

    /** The preset's LIMoE settings with the LIMoE options applied; refused for other models. */
    private MoeConfig moeConfig(ModelConfig model) {
        boolean given =
                experts != null
                        || topK != null
                        || capacityFactor != null
                        || moeLayers != null
                        || batchPriority != null
                        || localEntropyWeight != null
                        || globalEntropyWeight != null
                        || globalEntropyThreshold != null;
        if (model.moe() == null) {
            if (given) {
                throw fail(
                        "--experts, --top-k, --capacity-factor, --moe-layers, --batch-priority and"
                                + " the entropy options apply to a LIMoE model (--model limoe-*)");
            }
            return null;
        }
        MoeConfig preset = model.moe();
        MoeConfig.Builder b = preset.toBuilder();
        if (experts != null) {
            b.experts(experts);
            if (globalEntropyThreshold == null) {
                // Keep tau at the preset's share of the largest entropy, log E.
                b.globalEntropyThreshold(
                        preset.globalEntropyThreshold()
                                * (experts == 1 ? 0 : Math.log(experts))
                                / Math.log(preset.experts()));
            }
        }
        if (topK != null) {
            b.topK(topK);
        }
        if (capacityFactor != null) {
            b.capacityFactor(capacityFactor);
        }
        if (moeLayers != null) {
            b.moeLayers(moeLayers);
        }
        if (batchPriority != null) {
            b.batchPriorityRouting(batchPriority);
        }
        if (localEntropyWeight != null) {
            b.localLossWeight(localEntropyWeight);
        }
        if (globalEntropyWeight != null) {
            b.globalLossWeight(globalEntropyWeight);
        }
        if (globalEntropyThreshold != null) {
            b.globalEntropyThreshold(globalEntropyThreshold);
        }
        return b.build();
    }

    private LossConfig lossConfig() {
        switch (loss.trim().toLowerCase(Locale.ROOT)) {
            case "sigmoid", "softmax" -> {
                if (lossChunks != 1) {
                    throw fail(
                            "--loss-chunks applies to --loss chunked, not --loss " + loss.trim());
                }
                return loss.trim().equalsIgnoreCase("softmax")
                        ? LossConfig.softmax()
                        : LossConfig.defaults();
            }
            case "chunked" -> {
                if (lossChunks < 2) {
                    throw fail(
                            "--loss chunked needs --loss-chunks N with N >= 2 (1 is --loss"
                                    + " sigmoid), got "
                                    + lossChunks);
                }
                return LossConfig.chunkedSigmoid(lossChunks);
            }
            default -> throw fail("--loss must be sigmoid, chunked or softmax, not '" + loss + "'");
        }
    }

    private ShuffleConfig shuffleConfig(ShuffleConfig base) {
        // A buffer smaller than one batch grows to one (all of it on the heap); explicit sizes are
        // checked.
        ShuffleConfig sized =
                base.capacity() >= batchSize
                        ? base
                        : ShuffleConfig.of(batchSize, Math.max(batchSize, base.memoryCapacity()));
        int capacity = given("--shuffle-buffer") ? shuffleBuffer : sized.capacity();
        int heap =
                given("--shuffle-heap") ? shuffleHeap : Math.min(sized.memoryCapacity(), capacity);
        if (capacity < batchSize) {
            throw fail(
                    "--shuffle-buffer "
                            + capacity
                            + " must hold at least one batch (--batch-size "
                            + batchSize
                            + ")");
        }
        if (heap < 1 || heap > capacity) {
            throw fail(
                    "--shuffle-heap must lie in [1, --shuffle-buffer "
                            + capacity
                            + "], got "
                            + heap);
        }
        try {
            return ShuffleConfig.of(capacity, heap).toBuilder()
                    .spillDir(spillDir)
                    .languageWeights(
                            languageWeights == null ? sized.languageWeights() : languageWeights)
                    .defaultWeight(defaultLanguageWeight)
                    .replayCacheMib(replayCacheMib)
                    .build();
        } catch (IllegalArgumentException e) {
            throw fail(
                    "--language-weights / --default-language-weight / --replay-cache-mib: "
                            + e.getMessage());
        }
    }

    /** Whether the command line gave {@code option} (rather than its default). */
    private boolean given(String option) {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        return parsed != null && parsed.hasMatchedOption(option);
    }

    private Path initFrom() {
        if (initFrom != null && !Files.isDirectory(initFrom)) {
            throw fail("--init-from " + initFrom + " is not a checkpoint folder");
        }
        return initFrom;
    }

    private LitConfig litConfig() {
        if (litFrom == null) {
            return null;
        }
        if (!Files.isDirectory(litFrom)) {
            throw fail("--lit-from " + litFrom + " is not a checkpoint folder");
        }
        return LitConfig.builder()
                .imageCheckpoint(litFrom)
                .cacheImageEmbeddings(litCacheEmbeddings)
                .build();
    }

    private <E extends Enum<E>> E choice(String option, String value, Class<E> type) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            StringBuilder known = new StringBuilder();
            for (E c : type.getEnumConstants()) {
                known.append(known.length() == 0 ? "" : " or ")
                        .append(c.name().toLowerCase(Locale.ROOT));
            }
            throw fail(option + " must be " + known + ", not '" + value + "'");
        }
    }

    private double positive(String option, double value) {
        if (!(value > 0)) {
            throw fail(option + " must be positive, got " + value);
        }
        return value;
    }

    private CommandLine.ParameterException fail(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private static String lossName(LossConfig.Kind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }
}
