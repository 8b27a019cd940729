package io.streamlip.trainer.limoe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A sparse MLP with its residual: {@code x + Σ_j g_j(x) · MLP_{e_j(x)}(LN(x))} over the experts
 * {@link BatchPriorityRouter} dispatched the token to, {@code g} its router probability there
 * (softmax of a bias-free linear router). A token dropped for every choice gets {@code x}: it skips
 * the layer through the residual. Every expert is a GELU MLP of hidden width {@code mlpRatio ·
 * width}, its weights stacked in (experts, ...) parameters.
 *
 * <p>Also computes, per modality segment of the rows, LIMoE's auxiliary losses ({@link
 * EntropyLosses}), weighted by the {@link MoeConfig}'s weights and summed over the modalities.
 *
 * <p>Input rows are tokens (N, width) of every modality in the pass, one after the other; padding
 * rows are marked invalid and neither routed nor counted.
 */
public final class MoeMlp extends AbstractBlock {
    private static final byte VERSION = 1;

    private final MoeConfig config;
    private final int width;
    private final int hidden;
    private final LayerNorm norm;
    private final Linear router;
    private final Parameter expertsIn;
    private final Parameter expertsInBias;
    private final Parameter expertsOut;
    private final Parameter expertsOutBias;

    /** The rows of one modality: {@code [start, end)}, {@code valid} per row. */
    public record Segment(Modality modality, int start, int end, boolean[] valid) {
        int validCount() {
            int n = 0;
            for (boolean v : valid) {
                n += v ? 1 : 0;
            }
            return n;
        }
    }

    /**
     * @param output {@code x} plus the experts' weighted outputs, (N, width)
     * @param auxiliaryLoss the weighted entropy losses of this block (a scalar with a gradient)
     * @param routing what each modality did here
     */
    public record Output(
            NDArray output,
            NDArray auxiliaryLoss,
            Map<Modality, RoutingStats.ModalityRouting> routing) {}

    public MoeMlp(MoeConfig config, int width, int mlpRatio) {
        super(VERSION);
        this.config = config;
        this.width = width;
        this.hidden = mlpRatio * width;
        int experts = config.experts();
        // axis(2): the rows go through as (1, N, width); normalise each over its features.
        norm = addChildBlock("moe_norm", LayerNorm.builder().axis(2).build());
        router = addChildBlock("router", Linear.builder().setUnits(experts).optBias(false).build());
        // Xavier-normal scale per expert, as the dense MLP's Xavier-uniform has.
        float sigma = (float) Math.sqrt(2.0 / (width + hidden));
        expertsIn = addParameter(tensor("experts_in", new Shape(experts, width, hidden), sigma));
        expertsInBias = addParameter(zeros("experts_in_bias", (long) experts * hidden));
        expertsOut = addParameter(tensor("experts_out", new Shape(experts, hidden, width), sigma));
        expertsOutBias = addParameter(zeros("experts_out_bias", (long) experts * width));
    }

    public MoeConfig config() {
        return config;
    }

    /** Not used: {@link #route} takes the segments. */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException("call MoeMlp.route with the modality segments");
    }

    /** The router's probabilities (N, experts) and their logarithms for rows {@code h} = LN(x). */
    private NDList probabilities(ParameterStore ps, NDArray h, boolean training) {
        long n = h.getShape().get(0);
        NDArray logits =
                router.forward(ps, new NDList(h.reshape(1, n, width)), training)
                        .singletonOrThrow()
                        .reshape(n, config.experts());
        NDArray logProbs = logits.logSoftmax(1);
        return new NDList(logProbs.exp(), logProbs);
    }

    /** Runs the block on rows {@code x} (N, width) made of {@code segments}. */
    public Output route(ParameterStore ps, NDArray x, List<Segment> segments, boolean training) {
        NDManager m = x.getManager();
        int n = (int) x.getShape().get(0);
        int experts = config.experts();
        NDArray h =
                norm.forward(ps, new NDList(x.reshape(1, n, width)), training)
                        .singletonOrThrow()
                        .reshape(n, width);
        NDList p = probabilities(ps, h, training);
        NDArray probs = p.get(0);
        NDArray logProbs = p.get(1);
        float[] host = probs.toFloatArray();

        boolean[] valid = new boolean[n];
        int routedTokens = 0;
        for (Segment s : segments) {
            System.arraycopy(s.valid(), 0, valid, s.start(), s.end() - s.start());
            routedTokens += s.validCount();
        }
        BatchPriorityRouter.Assignment a =
                BatchPriorityRouter.route(
                        host,
                        n,
                        experts,
                        valid,
                        config.topK(),
                        config.capacity(routedTokens),
                        config.batchPriorityRouting());

        // Each expert on its own tokens; their outputs stacked, then one zero row for "dropped".
        NDArray wIn = ps.getValue(expertsIn, x.getDevice(), training);
        NDArray bIn = ps.getValue(expertsInBias, x.getDevice(), training);
        NDArray wOut = ps.getValue(expertsOut, x.getDevice(), training);
        NDArray bOut = ps.getValue(expertsOutBias, x.getDevice(), training);
        List<int[]> byExpert = a.tokensByExpert();
        int[] offset = new int[experts];
        NDList outputs = new NDList();
        int total = 0;
        for (int e = 0; e < experts; e++) {
            offset[e] = total;
            int[] tokens = byExpert.get(e);
            if (tokens.length == 0) {
                continue;
            }
            total += tokens.length;
            NDArray xe = gather(m.create(tokens), h);
            NDArray y = xe.matMul(owned(wIn.get(e), m)).add(owned(slice(bIn, e, hidden), m));
            y = Activation.gelu(y);
            y = y.matMul(owned(wOut.get(e), m)).add(owned(slice(bOut, e, width), m));
            outputs.add(y);
        }
        outputs.add(m.zeros(new Shape(1, width)));
        NDArray stacked = outputs.size() == 1 ? outputs.get(0) : NDArrays.concat(outputs, 0);

        NDArray flatProbs = probs.reshape((long) n * experts, 1);
        NDArray mixed = null;
        for (int j = 0; j < config.topK(); j++) {
            int[] rowOf = new int[n];
            int[] gateAt = new int[n];
            for (int t = 0; t < n; t++) {
                int e = a.expert()[j][t];
                rowOf[t] = e < 0 ? total : offset[e] + a.slot()[j][t];
                gateAt[t] = t * experts + Math.max(e, 0);
            }
            NDArray gate = gather(m.create(gateAt), flatProbs); // (N, 1)
            NDArray part = gather(m.create(rowOf), stacked).mul(gate);
            mixed = mixed == null ? part : mixed.add(part);
        }
        NDArray output = x.add(mixed);

        NDArray aux = m.zeros(new Shape());
        Map<Modality, RoutingStats.ModalityRouting> routing = new EnumMap<>(Modality.class);
        for (Segment s : segments) {
            int count = s.validCount();
            routing.put(s.modality(), stats(s, a, host, experts));
            if (count == 0) {
                continue;
            }
            aux =
                    aux.add(
                            EntropyLosses.weighted(
                                    probs, logProbs, s.start(), s.end(), s.valid(), config));
        }
        return new Output(output, aux, routing);
    }

    /** Loads, drops and both entropies of one segment, in double precision from the host copy. */
    private static RoutingStats.ModalityRouting stats(
            Segment s, BatchPriorityRouter.Assignment a, float[] host, int experts) {
        int[] load = new int[experts];
        int routed = 0;
        int dropped = 0;
        double local = 0;
        double[] mean = new double[experts];
        int count = 0;
        for (int t = s.start(); t < s.end(); t++) {
            if (!s.valid()[t - s.start()]) {
                continue;
            }
            count++;
            for (int j = 0; j < a.expert().length; j++) {
                routed++;
                int e = a.expert()[j][t];
                if (e < 0) {
                    dropped++;
                } else {
                    load[e]++;
                }
            }
            for (int e = 0; e < experts; e++) {
                double p = host[t * experts + e];
                mean[e] += p;
                local -= p > 0 ? p * Math.log(p) : 0;
            }
        }
        double global = 0;
        for (int e = 0; e < experts; e++) {
            double p = count == 0 ? 0 : mean[e] / count;
            global -= p > 0 ? p * Math.log(p) : 0;
        }
        return new RoutingStats.ModalityRouting(
                count,
                routed,
                dropped,
                load,
                count == 0 ? Double.NaN : local / count,
                count == 0 ? Double.NaN : global);
    }

    /** Rows {@code index} (int32, shape (T)) of {@code table} (R, C): (T, C), differentiable. */
    private static NDArray gather(NDArray index, NDArray table) {
        return Embedding.embedding(index, table, SparseFormat.DENSE).singletonOrThrow();
    }

    /** Expert {@code e}'s slice of a flat (experts · size) bias. */
    private static NDArray slice(NDArray flat, int e, int size) {
        return flat.get(new NDIndex((long) e * size + ":" + (long) (e + 1) * size));
    }

    /**
     * A view of a parameter belongs to the parameter's manager: hand it to the step's, or every
     * step would leave one array behind in the model's.
     */
    private static NDArray owned(NDArray view, NDManager step) {
        view.attach(step);
        return view;
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape rows = new Shape(1, inputShapes[0].get(0), width);
        norm.initialize(manager, dataType, rows);
        router.initialize(manager, dataType, rows);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    private static Parameter tensor(String name, Shape shape, float sigma) {
        return Parameter.builder()
                .setName(name)
                .setType(Parameter.Type.OTHER)
                .optShape(shape)
                .optInitializer(new NormalInitializer(sigma))
                .build();
    }

    private static Parameter zeros(String name, long size) {
        // Flat, so that the optimizer treats them as vectors (no weight decay), as Linear biases.
        return Parameter.builder()
                .setName(name)
                .setType(Parameter.Type.OTHER)
                .optShape(new Shape(size))
                .optInitializer(new ConstantInitializer(0f))
                .build();
    }
}
