package io.streamlip.app;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamlip.filter.blocklist.BlocklistEntry;
import io.streamlip.filter.blocklist.BlocklistTopic;
import io.streamlip.platform.kafka.PipelineTopics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code streamlip blocklist add|remove ENTRY...}: writes opt-out entries to the pipeline's
 * compacted blocklist topic, which a running filter job follows, so an opt-out request takes effect
 * without a restart. Every entry is checked before anything is written.
 */
@Command(
        name = "blocklist",
        mixinStandardHelpOptions = true,
        description = {
            "Add or remove opt-out entries on the blocklist topic, which the running filter job"
                    + " reads as a broadcast stream: pairs arriving after the job has read an"
                    + " entry are refused (blocklisted_image or caption_blocklisted) into the"
                    + " rejects topic, within seconds, without a restart.",
            "ENTRY is sha256:<64 hex> (the image file's bytes), phash:<16 hex> (a 64-bit"
                    + " perceptual hash; near copies within the job's --blocklist-max-distance"
                    + " match) or term:<text> (a caption term: whole words, case-folded).",
            ""
        },
        subcommands = {BlocklistCommand.Add.class, BlocklistCommand.Remove.class})
final class BlocklistCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** What add and remove share: the broker, the entries, the printing. */
    abstract static class Change implements Callable<Integer> {
        @Mixin KafkaOptions kafka;

        @Parameters(
                arity = "1..*",
                paramLabel = "ENTRY",
                description = "sha256:<64 hex> | phash:<16 hex> | term:<text>")
        List<String> entries = new ArrayList<>();

        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        abstract boolean removes();

        @Override
        public Integer call() {
            List<BlocklistEntry> parsed = new ArrayList<>();
            for (String entry : entries) {
                try {
                    parsed.add(BlocklistEntry.parse(entry));
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(), "'" + entry + "': " + e.getMessage());
                }
            }
            PipelineTopics topics = kafka.createTopics();
            ObjectNode out = Json.object();
            out.put("topic", topics.blocklist());
            ArrayNode written = out.putArray(removes() ? "removed" : "added");
            try (BlocklistTopic topic = new BlocklistTopic(kafka.clients(), topics.blocklist())) {
                for (BlocklistEntry entry : parsed) {
                    long offset = removes() ? topic.remove(entry) : topic.add(entry);
                    written.addObject().put("entry", entry.text()).put("offset", offset);
                }
            }
            spec.commandLine().getOut().println(Json.pretty(out));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(
            name = "add",
            mixinStandardHelpOptions = true,
            description =
                    "Add entries to the blocklist topic; prints the topic and each entry's offset"
                            + " as JSON.")
    static final class Add extends Change {
        @Override
        boolean removes() {
            return false;
        }
    }

    @Command(
            name = "remove",
            mixinStandardHelpOptions = true,
            description =
                    "Remove entries from the blocklist topic (a tombstone per entry); an entry of"
                            + " a blocklist file stays. Prints the topic and each offset as JSON.")
    static final class Remove extends Change {
        @Override
        boolean removes() {
            return true;
        }
    }
}
