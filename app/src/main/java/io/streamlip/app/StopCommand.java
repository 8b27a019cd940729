package io.streamlip.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code streamlip stop}: stops the pipeline's running Flink jobs (by their names, {@code
 * streamlip-filter} and {@code streamlip-tokenize}) with a savepoint each, and prints where the
 * savepoints went and the {@code submit} options that resume from them.
 */
@Command(
        name = "stop",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Stop the pipeline's running Flink jobs with a savepoint each (Flink's"
                    + " stop-with-savepoint, not drained: the jobs' state and their consumer"
                    + " offsets are in the savepoint, and the exactly-once sinks commit what they"
                    + " wrote before it). Prints one savepoint per job and the 'streamlip submit'"
                    + " options that start the jobs again from them (--from-savepoint JOB=PATH),"
                    + " with the same jar or a newer one.",
            ""
        })
final class StopCommand implements Callable<Integer> {

    @Option(
            names = "--flink",
            paramLabel = "URL",
            defaultValue = "http://127.0.0.1:8081",
            description = "The Flink cluster's REST endpoint (default: ${DEFAULT-VALUE}).")
    String flink;

    @Option(
            names = {"--savepoint-dir", "--savepoint"},
            paramLabel = "DIR",
            description =
                    "Where the savepoints go (a URI or path the cluster can write; each job gets"
                            + " a savepoint-* folder there). Default: the cluster's"
                            + " execution.checkpointing.savepoint-dir.")
    String savepointDir;

    @Option(
            names = "--jobs",
            split = ",",
            paramLabel = "NAME",
            defaultValue = "filter,tokenize",
            description = "Which jobs to stop (default: ${DEFAULT-VALUE}).")
    List<String> jobs;

    @Option(
            names = "--timeout-s",
            paramLabel = "S",
            defaultValue = "600",
            description = "How long each savepoint may take (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(names = "--json", description = "Print one JSON object instead of lines of text.")
    boolean json;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /** One stopped job. */
    record Stopped(String job, String jobId, String savepoint, long millis) {}

    @Override
    public Integer call() throws Exception {
        for (String job : jobs) {
            if (!SubmitCommand.JOBS.containsKey(job)) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "unknown job " + job + "; known: " + SubmitCommand.JOBS.keySet());
            }
        }
        FlinkRestClient client = new FlinkRestClient(flink, Duration.ofMinutes(2));
        Map<String, String> running = runningJobs(client);
        List<String> missing = jobs.stream().filter(j -> !running.containsKey(j)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException(
                    "no RUNNING Flink job named "
                            + missing.stream().map(j -> "streamlip-" + j).toList()
                            + " at "
                            + flink
                            + "; running: "
                            + running.keySet());
        }
        // Trigger every savepoint first, then wait: the jobs stop side by side.
        Map<String, String> triggers = new LinkedHashMap<>();
        long started = System.nanoTime();
        for (String job : jobs) {
            triggers.put(job, client.stopWithSavepoint(running.get(job), savepointDir));
        }
        List<Stopped> stopped = new ArrayList<>();
        for (String job : jobs) {
            String id = running.get(job);
            String location =
                    client.awaitSavepoint(
                            id, triggers.get(job), Duration.ofSeconds(timeoutSeconds));
            stopped.add(new Stopped(job, id, location, (System.nanoTime() - started) / 1_000_000));
        }
        print(stopped);
        return 0;
    }

    /** The running pipeline jobs, by job name ({@code filter}, {@code tokenize}) to job id. */
    Map<String, String> runningJobs(FlinkRestClient client) throws Exception {
        Map<String, String> running = new LinkedHashMap<>();
        for (JsonNode job : client.jobs().path("jobs")) {
            String name = job.path("name").asText();
            if (job.path("state").asText().equals("RUNNING") && name.startsWith("streamlip-")) {
                String jobName = name.substring("streamlip-".length());
                if (running.put(jobName, job.path("jid").asText()) != null) {
                    throw new IllegalStateException(
                            "more than one RUNNING Flink job named " + name + " at " + flink);
                }
            }
        }
        return running;
    }

    private void print(List<Stopped> stopped) {
        PrintWriter out = spec.commandLine().getOut();
        List<String> resume = new ArrayList<>();
        for (Stopped s : stopped) {
            resume.add("--from-savepoint");
            resume.add(s.job() + "=" + s.savepoint());
        }
        if (json) {
            ObjectNode root = Json.object();
            root.put("flink", flink);
            ObjectNode savepoints = root.putObject("savepoints");
            ObjectNode ids = root.putObject("jobs");
            ObjectNode millis = root.putObject("stop_ms");
            for (Stopped s : stopped) {
                savepoints.put(s.job(), s.savepoint());
                ids.put(s.job(), s.jobId());
                millis.put(s.job(), s.millis());
            }
            ArrayNode args = root.putArray("resume_arguments");
            resume.forEach(args::add);
            out.println(Json.pretty(root));
        } else {
            for (Stopped s : stopped) {
                out.println(
                        s.job()
                                + " (job "
                                + s.jobId()
                                + ") stopped after "
                                + s.millis()
                                + " ms; savepoint "
                                + s.savepoint());
            }
            out.println("resume with: streamlip submit ... " + String.join(" ", resume));
        }
        out.flush();
    }
}
