package io.streamlip.bench;

import io.streamlip.trainer.model.ModelConfig;
import java.util.List;
import java.util.Locale;

/**
 * One model of the seeds' family as {@code streamlip bench families} trains it: a {@code --model}
 * preset, with the option a user would add ({@code limoe-small --experts 1}, {@code captioner-small
 * --caption-contrastive}) already applied.
 *
 * @param name the variant's name on the command line and in the table
 * @param command the {@code streamlip train} options that make the same model
 */
record FamilyVariant(String name, String command) {

    /** The six variants, in the order the benchmark runs them. */
    static final List<FamilyVariant> ALL =
            List.of(
                    new FamilyVariant("small", "--model small"),
                    new FamilyVariant("clippo-small", "--model clippo-small"),
                    new FamilyVariant("limoe-small", "--model limoe-small"),
                    new FamilyVariant("limoe-small-dense", "--model limoe-small --experts 1"),
                    new FamilyVariant("captioner-small", "--model captioner-small"),
                    new FamilyVariant(
                            "captioner-small-contrastive",
                            "--model captioner-small --caption-contrastive"));

    /**
     * The variant called {@code name}.
     *
     * @throws IllegalArgumentException naming the known ones when there is none
     */
    static FamilyVariant named(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return ALL.stream()
                .filter(v -> v.name.equals(n))
                .findFirst()
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "unknown variant '"
                                                + name
                                                + "'; known: "
                                                + ALL.stream().map(FamilyVariant::name).toList()));
    }

    /**
     * The model over {@code vocabSize} token ids. The dense LIMoE baseline is {@code limoe-small}
     * with one expert (top-1 routing runs one expert MLP per token, as a dense MLP does: the same
     * FLOPs per token) and no global entropy loss (one expert has no distribution to spread), as
     * {@code streamlip bench limoe} defines it.
     */
    ModelConfig model(int vocabSize) {
        return switch (name) {
            case "limoe-small-dense" -> {
                ModelConfig limoe = ModelConfig.preset("limoe-small", vocabSize);
                yield limoe.toBuilder()
                        .name(name)
                        .moe(limoe.moe().toBuilder().experts(1).globalEntropyThreshold(0).build())
                        .build();
            }
            case "captioner-small-contrastive" -> {
                ModelConfig captioner = ModelConfig.preset("captioner-small", vocabSize);
                yield captioner.toBuilder()
                        .name(name)
                        .decoder(captioner.decoder().withContrastive(true))
                        .build();
            }
            default -> ModelConfig.preset(name, vocabSize);
        };
    }
}
