package io.streamlip.app;

import io.streamlip.broker.KafkaBroker;
import io.streamlip.platform.kafka.KafkaClients;
import io.streamlip.platform.kafka.PipelineTopics;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code streamlip trace ID [--json] (--bootstrap HOST:PORT | --demo DIR)}: one pair's history
 * through the pipeline ({@link PairTracer}). Exit 0 when the pair was found, 1 when no topic has
 * it.
 */
@Command(
        name = "trace",
        mixinStandardHelpOptions = true,
        description = {
            "Follow a pair through the pipeline: where it entered raw-pairs, each reject (stage,"
                    + " reason, detail, the model that refused it), or its curated record, its"
                    + " example and the first checkpoint that trained on it (step, model"
                    + " version). Reads each topic once up to its end; exit 1 when no topic"
                    + " holds the pair.",
            ""
        })
final class TraceCommand implements Callable<Integer> {

    @Parameters(
            index = "0",
            paramLabel = "ID",
            description =
                    "A pair id, or the SHA-256 of an image in hex (every pair with that image).")
    String id;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Where where;

    static final class Where {
        @Option(
                names = "--bootstrap",
                paramLabel = "HOST:PORT",
                description = "Kafka bootstrap servers of a running pipeline.")
        String bootstrap;

        @Option(
                names = "--demo",
                paramLabel = "DIR",
                description =
                        "A finished demo's folder (its kafka/ log is reopened by an embedded"
                                + " broker; the demo must not be running).")
        Path demo;
    }

    @Option(
            names = "--topic-prefix",
            paramLabel = "PREFIX",
            defaultValue = "",
            description = "Prefix of every pipeline topic name (default: none).")
    String topicPrefix;

    @Option(
            names = "--kafka-property",
            paramLabel = "KEY=VALUE",
            description = "A Kafka client property for every client (repeatable).")
    Map<String, String> properties = new LinkedHashMap<>();

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PipelineTopics topics = PipelineTopics.defaults().prefixed(topicPrefix);
        if (where.bootstrap != null) {
            return print(
                    new PairTracer(new KafkaClients(where.bootstrap, properties), topics)
                            .trace(id));
        }
        Path log = demoLog(where.demo);
        KafkaBroker broker;
        try {
            broker = KafkaBroker.start(log, false);
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "cannot reopen the demo's Kafka log in "
                            + log
                            + " (is the demo still running? then trace with --bootstrap): "
                            + Streamlip.messageOf(e),
                    e);
        }
        try (broker) {
            return print(
                    new PairTracer(new KafkaClients(broker.bootstrapServers(), properties), topics)
                            .trace(id));
        }
    }

    /** The demo's Kafka folder: {@code DIR/kafka}, or DIR itself when it is one. */
    private Path demoLog(Path dir) {
        for (Path candidate : new Path[] {dir.resolve("kafka"), dir}) {
            if (Files.isDirectory(candidate.resolve("log"))
                    && Files.isDirectory(candidate.resolve("meta"))) {
                return candidate;
            }
        }
        throw new CommandLine.ParameterException(
                spec.commandLine(),
                "--demo "
                        + dir
                        + " holds no Kafka log (kafka/log and kafka/meta): give the --out folder"
                        + " of a finished streamlip demo");
    }

    private int print(PairTracer.Trace trace) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.pretty(trace));
        } else {
            TraceText.write(trace, out);
        }
        out.flush();
        if (!trace.found()) {
            spec.commandLine()
                    .getErr()
                    .println(
                            "streamlip trace: no pair with id or image SHA-256 "
                                    + trace.query()
                                    + " in "
                                    + (topicPrefix.isEmpty() ? "the" : "the " + topicPrefix + "*")
                                    + " pipeline topics");
            return 1;
        }
        return 0;
    }
}
