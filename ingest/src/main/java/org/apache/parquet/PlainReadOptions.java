package org.apache.parquet;

import java.util.HashMap;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.format.converter.ParquetMetadataConverter;

/**
 * {@link ParquetReadOptions} built without Hadoop. In parquet-hadoop 1.18 the options' builder
 * always creates Hadoop's {@code CodecFactory} and asks Hadoop's {@code ParquetInputFormat} for a
 * filter, even when it is given a {@link PlainParquetConfiguration} and a codec factory, so it
 * cannot run without Hadoop on the classpath. This class sits in the options' package to call their
 * package-private constructor with the builder's defaults; a parquet upgrade that changes that
 * constructor fails the build here, not at run time.
 */
public final class PlainReadOptions {
    /** The builder's default most allocation (8 MiB). */
    private static final int MAX_ALLOCATION_BYTES = 8 << 20;

    private PlainReadOptions() {}

    /** The builder's defaults, no record filter, and {@code codecs} for the pages. */
    public static ParquetReadOptions of(CompressionCodecFactory codecs) {
        return new ParquetReadOptions(
                false, // useSignedStringMinMax
                true, // useStatsFilter
                true, // useDictionaryFilter
                true, // useRecordFilter
                true, // useColumnIndexFilter
                false, // usePageChecksumVerification
                true, // useBloomFilter
                false, // useOffHeapDecryptBuffer
                false, // useHadoopVectoredIo
                FilterCompat.NOOP,
                ParquetMetadataConverter.NO_FILTER,
                codecs,
                new HeapByteBufferAllocator(),
                MAX_ALLOCATION_BYTES,
                new HashMap<>(),
                null, // fileDecryptionProperties
                null, // metricsCallback
                new PlainParquetConfiguration());
    }
}
