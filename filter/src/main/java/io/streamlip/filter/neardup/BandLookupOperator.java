package io.streamlip.filter.neardup;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.config.NearDuplicateConfig;
import io.streamlip.filter.curate.PerceptualHash;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * A keyed operator over {@link LshBands} band keys: the images seen in each band bucket, on the
 * state backend ({@code band-bucket}: each image's hash, thumbnail summary and cluster; {@code
 * band-thumbnails}: its {@link PerceptualHash#thumbnail}, read only when the hash is within {@link
 * NearDuplicateConfig#maxDistance()} and the {@link ThumbnailSums} do not rule a near copy out). A
 * probe carries the band keys of one pair that this task owns ({@link ProbeGroups}); the operator
 * visits each bucket under its own key (the keyed state stays keyed by band, in the key groups a
 * keyed exchange would use, so a savepoint rescales as any keyed state) and answers once for all of
 * them: the oldest cluster among the buckets' near copies of the probe's image ({@link
 * NearDuplicateIndex#isNearCopy}), or none. Each bucket then remembers the probe's image with the
 * cluster that bucket found, or as a new cluster of its own. Members past {@link
 * FilterConfig#dedupRetention()} are skipped and dropped at a rewrite (after {@value #MAX_CHUNKS}
 * chunks). The task keeps recent buckets decoded on the heap ({@link BucketCache}), thumbnail
 * verdicts ({@link NearCopyMemo}) and the thumbnails it read last ({@link ThumbnailCache}). The
 * bucket's layout and why: docs/decisions/near-duplicates.md.
 */
final class BandLookupOperator extends AbstractStreamOperator<BandAnswer>
        implements OneInputStreamOperator<BandProbe, BandAnswer> {
    private static final long serialVersionUID = 1L;

    /** A bucket is rewritten without its expired members once they are this share of it. */
    private static final int PRUNE_DIVISOR = 4;

    /** A bucket of more chunks than this is rewritten as one. */
    static final int MAX_CHUNKS = 64;

    /** Unremembered candidates picked one by one, oldest first, before the rest are sorted. */
    static final int PICKS_BEFORE_SORT = 4;

    private final FilterConfig config;
    private final long retentionMillis;
    private final int memoSlots;
    private final int thumbnailSlots;
    private transient ListState<byte[]> bucket;
    private transient MapState<Long, byte[]> thumbnails;
    private transient BucketCache cache;
    private transient NearCopyMemo verdicts;
    private transient ThumbnailCache readThumbnails;
    private transient int[] hashNear;
    private transient int keyGroups;
    private transient KeyGroupRange owned;

    BandLookupOperator(FilterConfig config) {
        this(config, NearCopyMemo.SLOTS, ThumbnailCache.SLOTS);
    }

    /**
     * @param memoSlots slots of the task's {@link NearCopyMemo}: a power of two, or 0 to compare
     *     every candidate's thumbnail (tests check that the memo never changes an answer)
     * @param thumbnailSlots slots of the task's {@link ThumbnailCache}: a power of two, or 0 to
     *     read every thumbnail from state (tests check that the cache never changes an answer)
     */
    BandLookupOperator(FilterConfig config, int memoSlots, int thumbnailSlots) {
        this.config = config;
        this.retentionMillis = config.dedupRetention().toMillis();
        this.memoSlots = NearCopyMemo.checkSlots(memoSlots);
        this.thumbnailSlots = NearCopyMemo.checkSlots(thumbnailSlots);
    }

    @Override
    public void open() throws Exception {
        super.open();
        // No Flink TTL here: one TTL would cover the whole list; members expire one by one.
        bucket =
                getKeyedStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "band-bucket",
                                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        MapStateDescriptor<Long, byte[]> thumbnailDescriptor =
                new MapStateDescriptor<>(
                        "band-thumbnails",
                        Types.LONG,
                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
        thumbnailDescriptor.enableTimeToLive(NearDuplicateStages.ttl(config));
        thumbnails = getKeyedStateStore().getMapState(thumbnailDescriptor);
        cache = new BucketCache(config.nearDuplicates().bucketCacheBytes());
        verdicts = new NearCopyMemo(memoSlots);
        readThumbnails = new ThumbnailCache(thumbnailSlots);
        hashNear = new int[1024];
        TaskInfo task = getRuntimeContext().getTaskInfo();
        keyGroups = task.getMaxNumberOfParallelSubtasks();
        owned =
                KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(
                        keyGroups,
                        task.getNumberOfParallelSubtasks(),
                        task.getIndexOfThisSubtask());
    }

    @Override
    public void processElement(StreamRecord<BandProbe> element) throws Exception {
        BandProbe probe = element.getValue();
        long now = getProcessingTimeService().getCurrentProcessingTime();
        Candidate oldest = null;
        for (long band : probe.bandKeys) {
            int keyGroup = KeyGroupRangeAssignment.assignToKeyGroup(band, keyGroups);
            if (!owned.contains(keyGroup)) {
                throw new IllegalStateException(
                        "band key "
                                + band
                                + " (key group "
                                + keyGroup
                                + ") is not this task's ("
                                + owned
                                + "): the probes were grouped for another parallelism or"
                                + " maximum parallelism than the band stage's");
            }
            setCurrentKey(band);
            Candidate found = lookUp(band, probe, now);
            if (found != null && (oldest == null || Candidate.byClusterAge(found, oldest) < 0)) {
                oldest = found;
            }
        }
        BandAnswer answer =
                oldest == null
                        ? new BandAnswer(probe.pairKey, probe.bandKeys.length, false, 0, 0)
                        : new BandAnswer(
                                probe.pairKey,
                                probe.bandKeys.length,
                                true,
                                oldest.cluster(),
                                oldest.time());
        output.collect(element.replace(answer));
    }

    /**
     * Looks the probe's image up in bucket {@code key} (the current key) and remembers it there:
     * the member of the oldest cluster among the bucket's near copies, or null.
     */
    private Candidate lookUp(long key, BandProbe probe, long now) throws Exception {
        NearDuplicateConfig near = config.nearDuplicates();
        long[] sums = probe.thumbnailSums;
        DecodedBucket members = cache.get(key);
        if (members == null) {
            members = DecodedBucket.of(bucket.get());
            cache.put(key, members);
        }
        if (hashNear.length < members.size()) {
            hashNear = new int[Math.max(members.size(), 2 * hashNear.length)];
        }
        int count = members.hashNear(probe.phash, near.maxDistance(), hashNear);
        // Nothing to skip for age unless the oldest member is past the retention.
        boolean anyExpired = members.anyExpired(now, retentionMillis);
        boolean stored = false;
        List<Candidate> candidates = new ArrayList<>();
        for (int j = 0; j < count; j++) {
            int i = hashNear[j];
            if (anyExpired && members.expired(i, now, retentionMillis)) {
                continue;
            }
            // An image's id covers its hash: only a member of the same hash can be the image.
            stored |= members.hash(i) == probe.phash && members.imageId(i) == probe.imageId;
            if (!members.sumsFartherThan(
                    i, sums, probe.thumbnail.length, near.maxThumbnailDistance())) {
                candidates.add(new Candidate(members, i));
            }
        }
        Candidate oldest = oldestNearCopy(probe, candidates, near);
        byte[] added = null;
        if (!stored) {
            added =
                    oldest == null
                            ? BandMember.of(
                                    probe.phash,
                                    probe.imageId,
                                    sums,
                                    probe.imageId,
                                    probe.time,
                                    now)
                            : BandMember.of(
                                    probe.phash,
                                    probe.imageId,
                                    sums,
                                    oldest.cluster(),
                                    oldest.time(),
                                    now);
            thumbnails.put(probe.imageId, probe.thumbnail);
        }
        int expired = anyExpired ? members.expired(now, retentionMillis) : 0;
        boolean prune = expired > 0 && expired * PRUNE_DIVISOR >= members.size();
        if (prune || (added != null && members.chunks() >= MAX_CHUNKS)) {
            byte[] rewritten = members.encode(now, retentionMillis, added);
            if (rewritten.length == 0) {
                bucket.clear();
                cache.put(key, DecodedBucket.empty());
            } else {
                bucket.update(List.of(rewritten));
                cache.put(key, DecodedBucket.of(List.of(rewritten)));
            }
        } else if (added != null) {
            bucket.add(added);
            cache.append(key, added);
        }
        return oldest;
    }

    /**
     * The member of the oldest cluster among {@code candidates} (members within the hash distance
     * whose summaries allow a near copy) whose thumbnail confirms a near copy, or null. The
     * verdicts the task remembers ({@link NearCopyMemo}) settle most candidates at once: the oldest
     * one remembered as near is the answer unless an older candidate, not remembered, confirms. A
     * remembered verdict needs no state read: a candidate is a live member, and its thumbnail was
     * written with it under a time-to-live from that write, so it is still there. A bucket holds an
     * image once, so a candidate left unsettled by the memo stays so while its older ones are
     * confirmed. Only those are confirmed, oldest cluster first, until one does, so a probe usually
     * reads and compares at most one thumbnail. The first bucket a new image visits remembers none
     * of its candidates, hundreds in a bucket of repeated shapes: the oldest is picked from those
     * left rather than all sorted, since the first usually confirms; after {@value
     * #PICKS_BEFORE_SORT} that do not, the rest are sorted. Candidates of equal age belong to the
     * same cluster with the same time, so which of them is returned does not change the answer.
     */
    private Candidate oldestNearCopy(
            BandProbe probe, List<Candidate> candidates, NearDuplicateConfig near)
            throws Exception {
        Candidate oldestRemembered = null;
        List<Candidate> unknown = new ArrayList<>();
        for (Candidate candidate : candidates) {
            Boolean remembered = verdicts.get(probe.imageId, candidate.imageId());
            if (remembered == null) {
                unknown.add(candidate);
            } else if (remembered
                    && (oldestRemembered == null
                            || Candidate.byClusterAge(candidate, oldestRemembered) < 0)) {
                oldestRemembered = candidate;
            }
        }
        if (oldestRemembered != null) {
            Candidate bound = oldestRemembered;
            unknown.removeIf(candidate -> Candidate.byClusterAge(candidate, bound) >= 0);
        }
        for (int picks = 0; picks < PICKS_BEFORE_SORT && !unknown.isEmpty(); picks++) {
            int at = indexOfOldest(unknown);
            Candidate candidate = unknown.get(at);
            if (confirms(probe, candidate, near)) {
                return candidate;
            }
            Candidate last = unknown.remove(unknown.size() - 1);
            if (at < unknown.size()) {
                unknown.set(at, last);
            }
        }
        unknown.sort(Candidate::byClusterAge);
        for (Candidate candidate : unknown) {
            if (confirms(probe, candidate, near)) {
                return candidate;
            }
        }
        return oldestRemembered;
    }

    /**
     * Where the oldest cluster's candidate lies in {@code candidates} (not empty). Of several of
     * that cluster, the image that started it when it is among them: every later copy of a picture
     * then confirms against the same image, whose thumbnail the task keeps ({@link
     * ThumbnailCache}).
     */
    private static int indexOfOldest(List<Candidate> candidates) {
        int oldest = 0;
        for (int i = 1; i < candidates.size(); i++) {
            Candidate candidate = candidates.get(i);
            int order = Candidate.byClusterAge(candidate, candidates.get(oldest));
            if (order < 0 || (order == 0 && candidate.startedItsCluster())) {
                oldest = i;
            }
        }
        return oldest;
    }

    /**
     * Whether the candidate's thumbnail, from the {@link ThumbnailCache} or else read from state,
     * confirms a near copy of the probe's image; the verdict is remembered ({@link NearCopyMemo})
     * for the other buckets of the same two images. The caller has already looked the pair up in
     * the memo. A live member's thumbnail is missing from state only in the instant between its
     * time-to-live and the member's own expiry (the same write, the same retention); a cached copy
     * then answers with the images' verdict.
     */
    private boolean confirms(BandProbe probe, Candidate candidate, NearDuplicateConfig near)
            throws Exception {
        long member = candidate.imageId();
        byte[] thumbnail = readThumbnails.get(member);
        if (thumbnail == null) {
            thumbnail = thumbnails.get(member);
            if (thumbnail == null) {
                return false; // not remembered: the verdict is not the images' but the state's
            }
            readThumbnails.put(member, thumbnail);
        }
        boolean nearCopy =
                NearDuplicateIndex.isNearCopy(
                        probe.phash, probe.thumbnail, candidate.phash(), thumbnail, near);
        verdicts.put(probe.imageId, member, nearCopy);
        return nearCopy;
    }

    /** A member found within the hash distance: its number in its bucket. */
    private record Candidate(DecodedBucket bucket, int member) {
        long phash() {
            return bucket.hash(member);
        }

        long imageId() {
            return bucket.imageId(member);
        }

        long cluster() {
            return bucket.cluster(member);
        }

        long time() {
            return bucket.clusterTime(member);
        }

        /** Whether this image started its cluster (a cluster's id is its first image's). */
        boolean startedItsCluster() {
            return imageId() == cluster();
        }

        /** Oldest cluster first, in the order of {@link NearDuplicateStages#older}. */
        static int byClusterAge(Candidate a, Candidate b) {
            return NearDuplicateStages.compareAge(a.cluster(), a.time(), b.cluster(), b.time());
        }
    }
}
