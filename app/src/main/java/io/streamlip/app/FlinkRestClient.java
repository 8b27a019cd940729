package io.streamlip.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The few calls of Flink's REST API (the one the web UI and {@code flink run} use) that deploying
 * the pipeline needs: upload a job jar ({@code POST /jars/upload}), run a main class of it with
 * arguments ({@code POST /jars/:id/run}, optionally from a savepoint), stop a job with a savepoint
 * ({@code POST /jobs/:id/stop}), cancel one, and look at jobs and their checkpoints. Plain HTTP and
 * JSON, so the client needs nothing of Flink on its classpath and works with any Flink 1.x/2.x
 * session cluster.
 */
public final class FlinkRestClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http;
    private final Duration timeout;

    /**
     * @param restUrl the cluster's REST endpoint, e.g. {@code http://127.0.0.1:8081}
     * @param timeout the time one request may take (uploads and job starts take seconds)
     */
    public FlinkRestClient(String restUrl, Duration timeout) {
        Objects.requireNonNull(restUrl, "restUrl");
        this.base = URI.create(restUrl.endsWith("/") ? restUrl : restUrl + "/");
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** Uploads {@code jar}; returns its id on the cluster (what {@link #run} takes). */
    public String uploadJar(Path jar) throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("no job jar at " + jar);
        }
        String boundary = "streamlip-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(
                ("--"
                                + boundary
                                + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                                + jar.getFileName()
                                + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(jar));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        JsonNode answer =
                send(
                        HttpRequest.newBuilder(base.resolve("jars/upload"))
                                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())),
                        "uploading " + jar);
        String filename = answer.path("filename").asText("");
        if (filename.isEmpty()) {
            throw new IOException("Flink accepted no jar: " + answer);
        }
        // The answer names the stored file; its name is the jar's id.
        return Path.of(filename).getFileName().toString();
    }

    /**
     * Runs {@code entryClass} of an uploaded jar with {@code args}, detached; returns the job id.
     *
     * @param savepoint a savepoint or retained checkpoint to start from, or null
     */
    public String run(String jarId, String entryClass, List<String> args, String savepoint)
            throws IOException, InterruptedException {
        return run(jarId, entryClass, args, savepoint, false);
    }

    /**
     * As {@link #run(String, String, List, String)}; {@code allowNonRestoredState} lets the job
     * start from a savepoint holding state of an operator it no longer has (that state is dropped).
     * Flink does not take ownership of the savepoint or checkpoint (claim mode {@code NO_CLAIM}):
     * it stays where it is, and the job's first checkpoint is a full one.
     */
    public String run(
            String jarId,
            String entryClass,
            List<String> args,
            String savepoint,
            boolean allowNonRestoredState)
            throws IOException, InterruptedException {
        ObjectNode request = JSON.createObjectNode();
        request.put("entryClass", entryClass);
        request.set("programArgsList", JSON.valueToTree(args));
        if (savepoint != null) {
            request.put("savepointPath", savepoint);
            request.put("allowNonRestoredState", allowNonRestoredState);
        }
        JsonNode answer = postJson("jars/" + jarId + "/run", request, "running " + entryClass);
        String jobId = answer.path("jobid").asText("");
        if (jobId.isEmpty()) {
            throw new IOException("Flink started no job for " + entryClass + ": " + answer);
        }
        return jobId;
    }

    private JsonNode postJson(String path, ObjectNode body, String what)
            throws IOException, InterruptedException {
        return send(
                HttpRequest.newBuilder(base.resolve(path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString())),
                what);
    }

    /**
     * Asks Flink to stop job {@code jobId} with a savepoint ({@code POST /jobs/:id/stop}, not
     * drained: the job's state stays as it is, so the job resumes from the savepoint); returns the
     * trigger id that {@link #awaitSavepoint} takes.
     *
     * @param targetDirectory where the savepoint goes (a URI or path the cluster can write); null
     *     for the cluster's {@code execution.checkpointing.savepoint-dir}
     */
    public String stopWithSavepoint(String jobId, String targetDirectory)
            throws IOException, InterruptedException {
        ObjectNode request = JSON.createObjectNode();
        if (targetDirectory != null) {
            request.put("targetDirectory", targetDirectory);
        }
        request.put("drain", false);
        JsonNode answer = postJson("jobs/" + jobId + "/stop", request, "stopping job " + jobId);
        String trigger = answer.path("request-id").asText("");
        if (trigger.isEmpty()) {
            throw new IOException("Flink gave no trigger id for stopping " + jobId + ": " + answer);
        }
        return trigger;
    }

    /**
     * Polls {@code GET /jobs/:id/savepoints/:triggerid} until the savepoint is complete; returns
     * its location.
     *
     * @throws IOException when the savepoint failed (with Flink's cause) or took longer than {@code
     *     timeout}
     */
    public String awaitSavepoint(String jobId, String triggerId, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode answer = get("jobs/" + jobId + "/savepoints/" + triggerId);
            if (answer.path("status").path("id").asText().equals("COMPLETED")) {
                JsonNode operation = answer.path("operation");
                String location = operation.path("location").asText("");
                if (!location.isEmpty()) {
                    return location;
                }
                JsonNode cause = operation.path("failure-cause");
                throw new IOException(
                        "savepoint of job "
                                + jobId
                                + " failed: "
                                + cause.path("class").asText("")
                                + " "
                                + cause.path("stack-trace")
                                        .asText("")
                                        .lines()
                                        .findFirst()
                                        .orElse(""));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(
                        "savepoint of job "
                                + jobId
                                + " not complete after "
                                + timeout
                                + ": "
                                + answer);
            }
            Thread.sleep(200);
        }
    }

    /** Cancels job {@code jobId} ({@code PATCH /jobs/:id?mode=cancel}); does not wait. */
    public void cancel(String jobId) throws IOException, InterruptedException {
        send(
                HttpRequest.newBuilder(base.resolve("jobs/" + jobId + "?mode=cancel"))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody()),
                "cancelling job " + jobId);
    }

    /** {@code GET /jobs/overview}: every job with its name and state. */
    public JsonNode jobs() throws IOException, InterruptedException {
        return get("jobs/overview");
    }

    /** The state of job {@code jobId} ({@code RUNNING}, {@code RESTARTING}, ...). */
    public String jobState(String jobId) throws IOException, InterruptedException {
        return get("jobs/" + jobId).path("state").asText();
    }

    /** {@code GET /jobs/:id/checkpoints}: counts and the latest completed checkpoint. */
    public JsonNode checkpoints(String jobId) throws IOException, InterruptedException {
        return get("jobs/" + jobId + "/checkpoints");
    }

    /** {@code GET path} (relative to the REST endpoint) as JSON. */
    public JsonNode get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET(), "GET " + path);
    }

    private JsonNode send(HttpRequest.Builder request, String what)
            throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException(
                    what
                            + " failed: HTTP "
                            + response.statusCode()
                            + " from "
                            + base
                            + ": "
                            + response.body());
        }
        return JSON.readTree(response.body());
    }
}
