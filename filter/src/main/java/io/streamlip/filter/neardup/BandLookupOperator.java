package io.streamlip.filter.neardup;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.filter.config.NearDuplicateConfig;
import io.streamlip.filter.curate.PerceptualHash;
import java.io.ByteArrayOutputStream;
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

    /** No image: a probe's first bucket knows of none it is near. */
    private static final long NO_IMAGE = Long.MIN_VALUE;

    /** Candidates picked one by one, oldest first, before the rest are sorted. */
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
        long nearImage = NO_IMAGE;
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
            Candidate found = lookUp(band, probe, now, nearImage);
            if (found != null) {
                nearImage = found.imageId();
                if (oldest == null || Candidate.byClusterAge(found, oldest) < 0) {
                    oldest = found;
                }
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
     *
     * @param nearImage the image an earlier bucket of this probe answered with, or {@link
     *     #NO_IMAGE}: known near, it is tried first among candidates of equal age
     */
    private Candidate lookUp(long key, BandProbe probe, long now, long nearImage) throws Exception {
        NearDuplicateConfig near = config.nearDuplicates();
        long[] sums = probe.thumbnailSums;
        boolean stored = false;
        int live = 0;
        int expired = 0;
        List<byte[]> chunks = cache.get(key);
        if (chunks == null) {
            chunks = new ArrayList<>();
            Iterable<byte[]> read = bucket.get();
            if (read != null) {
                for (byte[] chunk : read) {
                    chunks.add(BandMember.check(chunk));
                }
            }
            cache.put(key, chunks);
        }
        // One pass finds the oldest candidate (the one tried first) without keeping the others:
        // it is usually the answer, and only when it is not are they gathered.
        Candidate first = null;
        for (byte[] chunk : chunks) {
            for (int at = 0; at < chunk.length; at += BandMember.BYTES) {
                if (BandMember.expired(chunk, at, now, retentionMillis)) {
                    expired++;
                    continue;
                }
                live++;
                stored |= BandMember.imageId(chunk, at) == probe.imageId;
                if (isCandidate(chunk, at, probe)
                        && (first == null || triedBefore(chunk, at, first, nearImage))) {
                    first = new Candidate(chunk, at);
                }
            }
        }
        Candidate oldest = null;
        if (first != null) {
            oldest =
                    isNearCopy(probe, first, near)
                            ? first
                            : oldestNearCopy(
                                    probe, othersThan(first, chunks, probe, now), near, nearImage);
        }
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
        boolean prune = expired > 0 && expired * PRUNE_DIVISOR >= live + expired;
        if (prune || (added != null && chunks.size() >= MAX_CHUNKS)) {
            byte[] rewritten = rewrite(chunks, added, now);
            if (rewritten.length == 0) {
                bucket.clear();
                cache.put(key, List.of());
            } else {
                bucket.update(List.of(rewritten));
                cache.put(key, List.of(rewritten));
            }
        } else if (added != null) {
            bucket.add(added);
            cache.append(key, added);
        }
        return oldest;
    }

    /**
     * The member of the oldest cluster among {@code candidates} (members within the hash distance
     * whose summaries allow a near copy) that is a near copy, or null: candidates are tried oldest
     * cluster first until one is ({@link #lookUp} tries the oldest of a bucket itself, and calls
     * this with the others only when that one is not). A try asks the verdicts the task remembers
     * ({@link NearCopyMemo}) and, only when it has none, compares the thumbnails ({@link
     * #confirms}). A remembered verdict needs no state read: a candidate is a live member, and its
     * thumbnail was written with it under a time-to-live from that write, so it is still there. So
     * a probe usually reads and compares at most one thumbnail, and asks the memo about a candidate
     * or two per bucket, not about the hundreds a bucket of repeated shapes holds: the oldest is
     * picked from those left rather than all sorted, since the first usually is near; after {@value
     * #PICKS_BEFORE_SORT} that are not, the rest are sorted. Candidates of equal age belong to the
     * same cluster with the same time, so which of them is returned does not change the answer;
     * {@link #indexOfOldest} says which is tried first.
     */
    private Candidate oldestNearCopy(
            BandProbe probe, List<Candidate> candidates, NearDuplicateConfig near, long nearImage)
            throws Exception {
        for (int picks = 0; picks < PICKS_BEFORE_SORT && !candidates.isEmpty(); picks++) {
            int at = indexOfOldest(candidates, nearImage);
            Candidate candidate = candidates.get(at);
            if (isNearCopy(probe, candidate, near)) {
                return candidate;
            }
            Candidate last = candidates.remove(candidates.size() - 1);
            if (at < candidates.size()) {
                candidates.set(at, last);
            }
        }
        candidates.sort(Candidate::byClusterAge);
        for (Candidate candidate : candidates) {
            if (isNearCopy(probe, candidate, near)) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * Whether the live member at {@code at} may be a near copy of the probe's image: within the
     * hash distance, and summaries that allow it ({@link ThumbnailSums}).
     */
    private boolean isCandidate(byte[] chunk, int at, BandProbe probe) {
        NearDuplicateConfig near = config.nearDuplicates();
        return PerceptualHash.distance(probe.phash, BandMember.phash(chunk, at))
                        <= near.maxDistance()
                && !BandMember.sumsFartherThan(
                        chunk,
                        at,
                        probe.thumbnailSums,
                        probe.thumbnail.length,
                        near.maxThumbnailDistance());
    }

    /** The bucket's live candidates but {@code tried}, in the bucket's order. */
    private List<Candidate> othersThan(
            Candidate tried, List<byte[]> chunks, BandProbe probe, long now) {
        List<Candidate> others = new ArrayList<>();
        for (byte[] chunk : chunks) {
            for (int at = 0; at < chunk.length; at += BandMember.BYTES) {
                if (!BandMember.expired(chunk, at, now, retentionMillis)
                        && isCandidate(chunk, at, probe)
                        && !(chunk == tried.chunk() && at == tried.offset())) {
                    others.add(new Candidate(chunk, at));
                }
            }
        }
        return others;
    }

    /**
     * Whether the member at {@code at} is tried before {@code candidate} ({@link #indexOfOldest}).
     */
    private static boolean triedBefore(byte[] chunk, int at, Candidate candidate, long nearImage) {
        int order =
                NearDuplicateStages.compareAge(
                        BandMember.cluster(chunk, at),
                        BandMember.clusterTime(chunk, at),
                        candidate.cluster(),
                        candidate.time());
        return order < 0
                || (order == 0
                        && preferred(
                                BandMember.imageId(chunk, at),
                                candidate.imageId(),
                                candidate.cluster(),
                                nearImage));
    }

    /**
     * Where the oldest cluster's candidate lies in {@code candidates} (not empty). Of several of
     * that cluster: {@code nearImage}, which the memo knows to be near, when it is among them; else
     * the image that started the cluster, so that every later copy of a picture confirms against
     * the same image, whose thumbnail the task keeps ({@link ThumbnailCache}).
     */
    private static int indexOfOldest(List<Candidate> candidates, long nearImage) {
        int oldest = 0;
        for (int i = 1; i < candidates.size(); i++) {
            Candidate candidate = candidates.get(i);
            int order = Candidate.byClusterAge(candidate, candidates.get(oldest));
            Candidate best = candidates.get(oldest);
            if (order < 0
                    || (order == 0
                            && preferred(
                                    candidate.imageId(),
                                    best.imageId(),
                                    best.cluster(),
                                    nearImage))) {
                oldest = i;
            }
        }
        return oldest;
    }

    /**
     * Of two candidates of equal age, images {@code a} and {@code b} of {@code cluster}, whether
     * {@code a} is tried before {@code b}: {@code nearImage} first, then the cluster's first image
     * (a cluster's id is its first image's).
     */
    private static boolean preferred(long a, long b, long cluster, long nearImage) {
        if (b == nearImage) {
            return false;
        }
        return a == nearImage || (a == cluster && b != cluster);
    }

    /** The remembered verdict on the two images, else the thumbnails' ({@link #confirms}). */
    private boolean isNearCopy(BandProbe probe, Candidate candidate, NearDuplicateConfig near)
            throws Exception {
        Boolean remembered = verdicts.get(probe.imageId, candidate.imageId());
        return remembered != null ? remembered : confirms(probe, candidate, near);
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

    /** One chunk of the bucket's live members, and {@code added} when not null. */
    private byte[] rewrite(List<byte[]> chunks, byte[] added, long now) {
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        for (byte[] chunk : chunks) {
            for (int at = 0; at < chunk.length; at += BandMember.BYTES) {
                if (!BandMember.expired(chunk, at, now, retentionMillis)) {
                    kept.write(chunk, at, BandMember.BYTES);
                }
            }
        }
        if (added != null) {
            kept.writeBytes(added);
        }
        return kept.toByteArray();
    }

    /** A member found within the hash distance: where it lies in its chunk. */
    private record Candidate(byte[] chunk, int offset) {
        long phash() {
            return BandMember.phash(chunk, offset);
        }

        long imageId() {
            return BandMember.imageId(chunk, offset);
        }

        long cluster() {
            return BandMember.cluster(chunk, offset);
        }

        long time() {
            return BandMember.clusterTime(chunk, offset);
        }

        /** Oldest cluster first, in the order of {@link NearDuplicateStages#older}. */
        static int byClusterAge(Candidate a, Candidate b) {
            return NearDuplicateStages.compareAge(a.cluster(), a.time(), b.cluster(), b.time());
        }
    }
}
