package io.streamlip.filter.fetch;

import static io.streamlip.filter.fetch.LocalImageServer.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.filter.config.FilterConfig;
import io.streamlip.ingest.synthetic.SyntheticPairs;
import io.streamlip.platform.kafka.KafkaEnvelope;
import io.streamlip.schemas.AvroSerde;
import io.streamlip.schemas.RawPair;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The per-host concurrency limit holds job-wide: at parallelism 2, with the pairs of one host
 * spread over both router tasks, the loopback server never sees more than the limit at once.
 * (Without the partitioning by host each task's limiter would let the limit through, twice.)
 */
@Tag("integration")
class FetchHostLimitJobTest {
    private static final int PER_HOST = 2;

    private LocalImageServer server;
    private final Map<String, byte[]> images = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws Exception {
        server = new LocalImageServer(16);
        server.on(
                "/img/",
                x -> {
                    Thread.sleep(150); // requests overlap
                    String id = x.getRequestURI().getPath().substring("/img/".length());
                    send(x, "image/png", images.get(id));
                });
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void theHostLimitHoldsAcrossParallelTasks() throws Exception {
        AvroSerde<RawPair> serde = AvroSerde.of(RawPair.class);
        List<KafkaEnvelope> envelopes = new ArrayList<>();
        var pairs = new SyntheticPairs(32).pairs(24, 3);
        for (int i = 0; pairs.hasNext(); i++) {
            RawPair p = pairs.next();
            byte[] image = new byte[p.getImage().remaining()];
            p.getImage().duplicate().get(image);
            images.put(p.getId(), image);
            RawPair urlOnly =
                    RawPair.newBuilder(p)
                            .setImage((ByteBuffer) null)
                            .setImageUrl(server.url("/img/" + p.getId()))
                            .build();
            envelopes.add(new KafkaEnvelope(null, serde.encode(urlOnly), "raw-pairs", 0, i, 0));
        }
        FilterConfig config =
                FilterConfig.builder()
                        .fetch(
                                FetchConfig.builder()
                                        .allowedNetworks(List.of("127.0.0.0/8"))
                                        .perHostConcurrency(PER_HOST)
                                        .maxInFlight(16)
                                        .build())
                        .build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        var raw =
                env.fromData(envelopes, TypeInformation.of(KafkaEnvelope.class))
                        .rebalance(); // both router tasks see pairs of the host
        FetchStage.Routed routed = FetchStage.attach(raw, config, "test");
        routed.carried().sinkTo(new DiscardingSink<>());
        List<KafkaEnvelope> fetched = routed.fetched().executeAndCollect(100);

        assertThat(fetched).hasSize(envelopes.size());
        for (KafkaEnvelope e : fetched) {
            RawPair pair = serde.decode(e.value);
            assertThat(pair.getImage().remaining()).isEqualTo(images.get(pair.getId()).length);
        }
        assertThat(server.mostAtOnce()).isEqualTo(PER_HOST);
    }
}
