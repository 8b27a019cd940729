package io.streamlip.trainer.limoe;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How one forward pass routed its tokens, per sparse block and modality, and the auxiliary loss it
 * added. {@link #metrics} flattens it for the logs, the metrics file and {@code model-updates}.
 *
 * @param blocks one entry per mixture-of-experts block, in depth order
 * @param auxiliaryLoss the weighted entropy losses (already in the training loss)
 */
public record RoutingStats(List<BlockRouting> blocks, double auxiliaryLoss) {

    public RoutingStats {
        blocks = List.copyOf(blocks);
    }

    /**
     * One sparse block.
     *
     * @param block the block's index in the transformer
     * @param modalities what each modality present in the pass did there
     */
    public record BlockRouting(int block, Map<Modality, ModalityRouting> modalities) {
        public BlockRouting {
            modalities = java.util.Collections.unmodifiableMap(new EnumMap<>(modalities));
        }
    }

    /**
     * One modality's tokens in one sparse block.
     *
     * @param tokens tokens routed (padding excluded)
     * @param routed assignments asked for (tokens times k)
     * @param dropped assignments refused for lack of capacity
     * @param load assignments kept per expert
     * @param localEntropy mean over the tokens of the entropy of their routing distribution (nats)
     * @param globalEntropy entropy of the tokens' mean routing distribution (nats)
     */
    public record ModalityRouting(
            int tokens,
            int routed,
            int dropped,
            int[] load,
            double localEntropy,
            double globalEntropy) {

        /** Share of the routed assignments that expert {@code e} kept. */
        public double utilisation(int e) {
            return routed == 0 ? Double.NaN : (double) load[e] / routed;
        }

        /** Share of the routed assignments dropped. */
        public double droppedFraction() {
            return routed == 0 ? Double.NaN : (double) dropped / routed;
        }
    }

    /**
     * Flat metrics: {@code routing.aux_loss}, and per sparse block b and modality m {@code
     * routing.b<b>.<m>.dropped}, {@code .local_entropy}, {@code .global_entropy} and {@code
     * .expert<e>} (share of the modality's assignments expert e kept), in a stable order.
     */
    public Map<String, Double> metrics() {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("routing.aux_loss", auxiliaryLoss);
        for (BlockRouting b : blocks) {
            for (Map.Entry<Modality, ModalityRouting> e : b.modalities().entrySet()) {
                String prefix = "routing.b" + b.block() + "." + e.getKey().key() + ".";
                ModalityRouting r = e.getValue();
                out.put(prefix + "dropped", r.droppedFraction());
                out.put(prefix + "local_entropy", r.localEntropy());
                out.put(prefix + "global_entropy", r.globalEntropy());
                for (int x = 0; x < r.load().length; x++) {
                    out.put(prefix + "expert" + x, r.utilisation(x));
                }
            }
        }
        return out;
    }

    /** A one-line digest per sparse block for the progress log. */
    public List<String> digest() {
        List<String> lines = new ArrayList<>();
        for (BlockRouting b : blocks) {
            StringBuilder line = new StringBuilder("routing b" + b.block());
            for (Map.Entry<Modality, ModalityRouting> e : b.modalities().entrySet()) {
                ModalityRouting r = e.getValue();
                line.append(
                        String.format(
                                java.util.Locale.ROOT,
                                "  %s: dropped %.3f  H_local %.3f  H_global %.3f  use [",
                                e.getKey().key(),
                                r.droppedFraction(),
                                r.localEntropy(),
                                r.globalEntropy()));
                for (int x = 0; x < r.load().length; x++) {
                    line.append(x == 0 ? "" : " ")
                            .append(String.format(java.util.Locale.ROOT, "%.2f", r.utilisation(x)));
                }
                line.append(']');
            }
            lines.add(line.toString());
        }
        return lines;
    }
}
