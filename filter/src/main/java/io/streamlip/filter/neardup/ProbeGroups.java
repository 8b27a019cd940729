package io.streamlip.filter.neardup;

import io.streamlip.filter.curate.CuratedEnvelope;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.util.Collector;

/**
 * Sends a pair's {@link LshBands} keys to the band buckets as one {@link BandProbe} per task that
 * owns some of them (key group of the band key, then the task of that key group, as Flink's keyed
 * exchange assigns them), so that a pair costs one message per task, not one per band. The probe's
 * first band key routes it through the keyed exchange; {@link BandLookupOperator} takes the others
 * from there, each under its own key. This requires that this function runs at the band stage's
 * parallelism and maximum parallelism (it is wired so; the band stage checks every key it is sent).
 */
final class ProbeGroups extends RichFlatMapFunction<CuratedEnvelope, BandProbe> {
    private static final long serialVersionUID = 1L;

    private final LshBands bands;
    private transient int parallelism;
    private transient int maxParallelism;

    ProbeGroups(LshBands bands) {
        this.bands = bands;
    }

    @Override
    public void open(OpenContext openContext) {
        TaskInfo task = getRuntimeContext().getTaskInfo();
        parallelism = task.getNumberOfParallelSubtasks();
        maxParallelism = task.getMaxNumberOfParallelSubtasks();
    }

    @Override
    public void flatMap(CuratedEnvelope pair, Collector<BandProbe> out) {
        long phash = NearDuplicateStages.phash(pair);
        String key = NearDuplicateStages.pairKey(pair);
        long imageId = NearDuplicateIndex.imageId(phash, pair.thumbnail);
        long[] sums = ThumbnailSums.of(pair.thumbnail);
        for (long[] group : byTask(bands.keys(phash), maxParallelism, parallelism)) {
            out.collect(
                    new BandProbe(
                            key,
                            group,
                            phash,
                            pair.thumbnail,
                            imageId,
                            pair.source.timestamp,
                            sums));
        }
    }

    /**
     * {@code bandKeys} split by the task that owns each (in the order of each task's first key,
     * each group in the order given), for a keyed stage of {@code parallelism} tasks and {@code
     * maxParallelism} key groups.
     */
    static List<long[]> byTask(long[] bandKeys, int maxParallelism, int parallelism) {
        if (parallelism == 1) {
            return List.of(bandKeys);
        }
        int[] task = new int[bandKeys.length];
        int[] count = new int[parallelism];
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < bandKeys.length; i++) {
            task[i] =
                    KeyGroupRangeAssignment.assignKeyToParallelOperator(
                            bandKeys[i], maxParallelism, parallelism);
            if (count[task[i]]++ == 0) {
                order.add(task[i]);
            }
        }
        List<long[]> groups = new ArrayList<>(order.size());
        for (int t : order) {
            long[] group = new long[count[t]];
            int at = 0;
            for (int i = 0; i < bandKeys.length; i++) {
                if (task[i] == t) {
                    group[at++] = bandKeys[i];
                }
            }
            groups.add(group);
        }
        return groups;
    }
}
