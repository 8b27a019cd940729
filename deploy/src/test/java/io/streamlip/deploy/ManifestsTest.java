package io.streamlip.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamlip.app.ConfigArgs;
import io.streamlip.app.Streamlip;
import io.streamlip.filter.FilterJob;
import io.streamlip.filter.score.CrossModalArguments;
import io.streamlip.platform.config.ConfigFile;
import io.streamlip.platform.flink.JobArguments;
import io.streamlip.platform.kafka.PipelineTopics;
import io.streamlip.tokenize.TokenizeJob;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Parses every Kubernetes manifest in {@code deploy/k8s} and checks the fields each kind needs.
 *
 * <p>The operators' CRD schemas (Flink Kubernetes Operator, Strimzi) are not on Maven Central, so
 * this checks the required fields and the values the pipeline depends on (topic names and
 * partitions from {@link PipelineTopics}, the Kafka cluster label, the jobs' entry classes, the
 * GPU), not the full schemas; {@code kubectl apply --dry-run=server} against a cluster with the
 * operators installed does that.
 */
class ManifestsTest {
    static final Path K8S = Path.of("k8s");
    static List<Resource> resources;

    /** One YAML document of one file. */
    record Resource(Path file, Map<String, Object> doc) {
        String kind() {
            return (String) doc.get("kind");
        }

        String name() {
            return (String) map(doc, "metadata").get("name");
        }

        Map<String, Object> spec() {
            return map(doc, "spec");
        }

        @Override
        public String toString() {
            return file.getFileName() + ":" + kind() + "/" + name();
        }
    }

    @BeforeAll
    static void parse() throws IOException {
        resources = new ArrayList<>();
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        try (Stream<Path> files = Files.list(K8S)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (Reader in = Files.newBufferedReader(file)) {
                    for (Object doc : yaml.loadAll(in)) {
                        if (doc != null) {
                            @SuppressWarnings("unchecked")
                            Map<String, Object> map = (Map<String, Object>) doc;
                            resources.add(new Resource(file, map));
                        }
                    }
                }
            }
        }
    }

    @Test
    void everyResourceHasApiVersionKindNameAndTheNamespace() {
        assertThat(resources).hasSizeGreaterThan(10);
        for (Resource r : resources) {
            assertThat(r.doc()).as("%s", r.file()).containsKeys("apiVersion", "kind");
            if (r.kind().equals("Kustomization")) {
                continue; // kustomize's own file: no object in the cluster, no name
            }
            assertThat(r.doc()).as("%s", r.file()).containsKey("metadata");
            assertThat(r.name()).as("name in %s", r.file()).isNotBlank().matches("[a-z0-9.-]+");
            if (!r.kind().equals("Namespace")) {
                assertThat(map(r.doc(), "metadata").get("namespace"))
                        .as("namespace of %s", r)
                        .isEqualTo("streamlip");
            }
        }
    }

    @Test
    void kustomizationListsEveryManifest() throws IOException {
        Resource k = only("Kustomization");
        try (Stream<Path> files = Files.list(K8S)) {
            List<String> manifests =
                    files.map(f -> f.getFileName().toString())
                            .filter(f -> f.endsWith(".yaml") && !f.equals("kustomization.yaml"))
                            .sorted()
                            .toList();
            assertThat(list(k.doc(), "resources")).containsExactlyInAnyOrderElementsOf(manifests);
        }
    }

    @Test
    void flinkDeploymentsRunTheJobsInApplicationModeWithRocksDbCheckpointsAndPrometheus() {
        List<Resource> deployments = all("FlinkDeployment");
        assertThat(deployments.stream().map(ManifestsTest::entryClass))
                .containsExactlyInAnyOrder(
                        "io.streamlip.filter.FilterJob", "io.streamlip.tokenize.TokenizeJob");
        for (Resource d : deployments) {
            assertThat(d.doc().get("apiVersion")).isEqualTo("flink.apache.org/v1beta1");
            Map<String, Object> spec = d.spec();
            assertThat(spec).as("%s", d).containsKeys("image", "flinkVersion", "serviceAccount");
            assertThat((String) spec.get("flinkVersion")).startsWith("v2_");
            Map<String, Object> job = map(spec, "job");
            // application mode: the job is part of the deployment, its jar inside the image
            assertThat((String) job.get("jarURI")).as("%s jarURI", d).startsWith("local:///");
            assertThat(job.get("parallelism")).as("%s parallelism", d).isInstanceOf(Integer.class);
            assertThat((Integer) job.get("parallelism")).isPositive();
            assertThat(job.get("upgradeMode")).as("%s upgradeMode", d).isEqualTo("savepoint");
            assertThat(job.get("state")).isEqualTo("running");
            List<Object> args = list(job, "args");
            assertThat(args).as("%s args", d).contains("--config", "--checkpoint-dir");
            assertThat(args).allSatisfy(a -> assertThat(a).isInstanceOf(String.class));

            Map<String, Object> conf = map(spec, "flinkConfiguration");
            assertThat(conf)
                    .as("%s flinkConfiguration", d)
                    .containsEntry("state.backend.type", "rocksdb")
                    .containsEntry(
                            "metrics.reporter.prom.factory.class",
                            "org.apache.flink.metrics.prometheus.PrometheusReporterFactory")
                    .containsKeys(
                            "execution.checkpointing.dir",
                            "execution.checkpointing.savepoint-dir",
                            "execution.checkpointing.interval",
                            "metrics.reporter.prom.port");
            // Restarts that never give up and state that is kept: exponential-delay without a
            // cap, as the job itself sets it (no --restart-attempts, which would select a bounded
            // fixed-delay strategy), checkpoints retained on cancellation, savepoints on upgrade.
            assertThat(conf)
                    .as("%s flinkConfiguration", d)
                    .containsAllEntriesOf(FlinkClusterConfig.EXPONENTIAL_RESTARTS)
                    .containsEntry(
                            "execution.checkpointing.externalized-checkpoint-retention",
                            "RETAIN_ON_CANCELLATION")
                    .containsKey("execution.checkpointing.num-retained")
                    .containsKey("kubernetes.operator.savepoint.history.max.count");
            assertThat(args)
                    .as("%s args", d)
                    .noneMatch(a -> String.valueOf(a).startsWith("--restart-attempts"))
                    .noneMatch(a -> String.valueOf(a).startsWith("--restart-delay-ms"));
            assertThat(job.get("allowNonRestoredState")).as("%s", d).isEqualTo(false);
            // the operator passes configuration values as strings
            assertThat(conf.values()).allSatisfy(v -> assertThat(v).isInstanceOf(String.class));
            assertThat(map(map(spec, "jobManager"), "resource")).containsKeys("memory", "cpu");
            assertThat(map(map(spec, "taskManager"), "resource")).containsKeys("memory", "cpu");
        }
    }

    @Test
    void kafkaRunsInKraftModeWithANodePoolOfTheCluster() {
        Resource kafka = only("Kafka");
        assertThat(kafka.doc().get("apiVersion")).isEqualTo("kafka.strimzi.io/v1beta2");
        assertThat(map(kafka.doc(), "metadata").get("annotations"))
                .isEqualTo(
                        Map.of(
                                "strimzi.io/node-pools", "enabled",
                                "strimzi.io/kraft", "enabled"));
        Map<String, Object> spec = map(kafka.spec(), "kafka");
        assertThat(spec).containsKeys("version", "listeners", "config");
        assertThat(list(spec, "listeners")).isNotEmpty();
        assertThat(map(spec, "config"))
                .containsEntry("message.max.bytes", 16 * 1024 * 1024)
                .containsKey("transaction.state.log.replication.factor");

        Resource pool = only("KafkaNodePool");
        assertThat(label(pool)).isEqualTo(kafka.name());
        assertThat(list(pool.spec(), "roles")).containsExactlyInAnyOrder("controller", "broker");
        assertThat(pool.spec()).containsKeys("replicas", "storage");
    }

    @Test
    void topicsAreThePipelineTopicsOfTheKafkaCluster() {
        String cluster = only("Kafka").name();
        List<Resource> topics = all("KafkaTopic");
        Map<String, Integer> expected =
                PipelineTopics.defaults().newTopics().stream()
                        .collect(Collectors.toMap(NewTopic::name, NewTopic::numPartitions));
        Map<String, Integer> declared =
                topics.stream()
                        .collect(
                                Collectors.toMap(
                                        t -> (String) t.spec().get("topicName"),
                                        t -> (Integer) t.spec().get("partitions")));
        assertThat(declared).isEqualTo(expected);
        for (Resource t : topics) {
            assertThat(t.doc().get("apiVersion")).isEqualTo("kafka.strimzi.io/v1beta2");
            assertThat(label(t)).as("strimzi.io/cluster of %s", t).isEqualTo(cluster);
            assertThat((Integer) t.spec().get("replicas")).isPositive();
        }
    }

    @Test
    void theTrainerRequestsAGpuAndReadsThePipelineConfig() {
        Resource trainer =
                all("Deployment").stream()
                        .filter(d -> d.name().equals("streamlip-trainer"))
                        .findFirst()
                        .orElseThrow();
        Map<String, Object> template = map(trainer.spec(), "template");
        Map<String, Object> container = map(list(map(template, "spec"), "containers").get(0));
        assertThat(map(map(container, "resources"), "limits")).containsEntry("nvidia.com/gpu", 1);
        assertThat(list(container, "args"))
                .containsExactly("--config=" + CONFIG_MOUNT + "/streamlip.yaml", "train");
        // $(VAR) in args come from the config maps the container loads
        List<String> configMaps =
                list(container, "envFrom").stream()
                        .map(e -> (String) map(map(e), "configMapRef").get("name"))
                        .toList();
        assertThat(configMaps)
                .allSatisfy(
                        name ->
                                assertThat(all("ConfigMap").stream().map(Resource::name))
                                        .contains(name));
        Map<String, Object> selector = map(map(trainer.spec(), "selector"), "matchLabels");
        assertThat(map(map(template, "metadata"), "labels")).containsAllEntriesOf(selector);
        assertThat(map(trainer.spec(), "strategy").get("type")).isEqualTo("Recreate");
    }

    @Test
    void thePipelineConfigMapNamesThePipelineTopics() {
        Resource config =
                all("ConfigMap").stream()
                        .filter(c -> c.name().equals("streamlip-pipeline"))
                        .findFirst()
                        .orElseThrow();
        PipelineTopics topics = PipelineTopics.defaults();
        assertThat(map(config.doc(), "data"))
                .containsEntry("TOPIC_RAW_PAIRS", topics.rawPairs())
                .containsEntry("TOPIC_CURATED_PAIRS", topics.curatedPairs())
                .containsEntry("TOPIC_EXAMPLES", topics.examples())
                .containsEntry("TOPIC_REJECTS", topics.rejects())
                .containsEntry("TOPIC_MODEL_UPDATES", topics.modelUpdates())
                .containsEntry("TOPIC_BLOCKLIST", topics.blocklist());
    }

    /** Where the pods mount the streamlip-config ConfigMap. */
    static final String CONFIG_MOUNT = "/etc/streamlip";

    @Test
    void theConfigMapsFileIsValidForTheCliAndTheJobsReadIt(@TempDir Path dir) throws IOException {
        Resource configMap =
                all("ConfigMap").stream()
                        .filter(c -> c.name().equals("streamlip-config"))
                        .findFirst()
                        .orElseThrow();
        Path file = dir.resolve("streamlip.yaml");
        Files.writeString(file, (String) map(configMap.doc(), "data").get("streamlip.yaml"));
        ConfigArgs.checkAll(Streamlip::commandLine, ConfigFile.read(file));

        for (Resource d : all("FlinkDeployment")) {
            List<String> args =
                    list(map(d.spec(), "job"), "args").stream()
                            .map(
                                    a ->
                                            ((String) a)
                                                    .replace(
                                                            CONFIG_MOUNT + "/streamlip.yaml",
                                                            file.toString()))
                            .toList();
            JobArguments parsed =
                    entryClass(d).endsWith("FilterJob")
                            ? FilterJob.arguments(args.toArray(String[]::new))
                            : TokenizeJob.arguments(args.toArray(String[]::new));
            assertThat(parsed.kafka().bootstrapServers())
                    .as("%s bootstrap from the file", d)
                    .isEqualTo("streamlip-kafka-bootstrap.streamlip.svc:9092");
            assertThat(parsed.settings().parallelism()).as("%s parallelism", d).isEqualTo(2);
            assertThat(mountsOf(d.spec())).as("%s mounts the config", d).contains(CONFIG_MOUNT);
        }
        Resource trainer =
                all("Deployment").stream()
                        .filter(t -> t.name().equals("streamlip-trainer"))
                        .findFirst()
                        .orElseThrow();
        assertThat(mountsOf(map(trainer.spec(), "template"))).contains(CONFIG_MOUNT);
    }

    @Test
    void theFilterScoresWithTheTrainersCheckpointsFromTheirVolume(@TempDir Path dir)
            throws IOException {
        Resource filter =
                all("FlinkDeployment").stream()
                        .filter(d -> entryClass(d).endsWith("FilterJob"))
                        .findFirst()
                        .orElseThrow();
        Resource configMap =
                all("ConfigMap").stream()
                        .filter(c -> c.name().equals("streamlip-config"))
                        .findFirst()
                        .orElseThrow();
        Path file = dir.resolve("streamlip.yaml");
        Files.writeString(file, (String) map(configMap.doc(), "data").get("streamlip.yaml"));
        JobArguments parsed =
                FilterJob.arguments(
                        list(map(filter.spec(), "job"), "args").stream()
                                .map(
                                        a ->
                                                ((String) a)
                                                        .replace(
                                                                CONFIG_MOUNT + "/streamlip.yaml",
                                                                file.toString()))
                                .toArray(String[]::new));
        assertThat(parsed.jobOption(CrossModalArguments.ENABLED)).contains("true");

        // DJL offline on the TaskManagers, its cache on a volume of the pod.
        String jvm =
                (String) map(filter.spec(), "flinkConfiguration").get("env.java.opts.taskmanager");
        assertThat(jvm).contains("-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1");
        String cache = jvm.replaceAll(".*-DDJL_CACHE_DIR=(\\S+).*", "$1");
        assertThat(mountsOf(filter.spec())).contains(cache);

        // The trainer announces checkpoints under its own path: the filter mounts that volume
        // there, and the volume can be mounted by more than one pod.
        Resource trainer =
                all("Deployment").stream()
                        .filter(t -> t.name().equals("streamlip-trainer"))
                        .findFirst()
                        .orElseThrow();
        assertThat(mountsOf(map(trainer.spec(), "template"))).contains("/checkpoints");
        assertThat(mountsOf(filter.spec())).contains("/checkpoints");
        Resource claim = only("PersistentVolumeClaim");
        assertThat(list(claim.spec(), "accessModes")).containsExactly("ReadWriteMany");
        assertThat(volumeClaims(filter.spec())).contains(claim.name());
    }

    /** The claim names of the persistent volumes of a pod template. */
    static List<String> volumeClaims(Map<String, Object> withPodSpec) {
        Map<String, Object> pod = map(map(withPodSpec, "podTemplate"), "spec");
        return list(pod, "volumes").stream()
                .map(v -> map(v).get("persistentVolumeClaim"))
                .filter(java.util.Objects::nonNull)
                .map(c -> (String) map(c).get("claimName"))
                .toList();
    }

    /** The mount paths of the first container of a pod template ({@code spec.containers}). */
    static List<String> mountsOf(Map<String, Object> withPodSpec) {
        Map<String, Object> pod =
                withPodSpec.containsKey("podTemplate")
                        ? map(map(withPodSpec, "podTemplate"), "spec")
                        : map(withPodSpec, "spec");
        Map<String, Object> container = map(list(pod, "containers").get(0));
        return list(container, "volumeMounts").stream()
                .map(m -> (String) map(m).get("mountPath"))
                .toList();
    }

    static String entryClass(Resource d) {
        return (String) map(d.spec(), "job").get("entryClass");
    }

    static String label(Resource r) {
        return (String) map(map(r.doc(), "metadata"), "labels").get("strimzi.io/cluster");
    }

    static Resource only(String kind) {
        List<Resource> found = all(kind);
        assertThat(found).as("resources of kind %s", kind).hasSize(1);
        return found.get(0);
    }

    static List<Resource> all(String kind) {
        return resources.stream().filter(r -> kind.equals(r.kind())).toList();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    static Map<String, Object> map(Map<String, Object> parent, String key) {
        assertThat(parent).containsKey(key);
        return map(parent.get(key));
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Map<String, Object> parent, String key) {
        assertThat(parent).containsKey(key);
        assertThat(parent.get(key)).isInstanceOf(List.class);
        return (List<Object>) parent.get(key);
    }
}
