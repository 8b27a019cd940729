package io.streamlip.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The FlinkDeployments against the operator's own CRD schema. Its API jar carries the CRD
 * (fabric8-generated, {@code META-INF/fabric8}); the newest on Maven Central is 1.10.0, whose
 * {@code flinkVersion} enum ends at {@code v1_20}, so that one field is checked separately (the
 * operator 1.14+ knows {@code v2_2}). Strimzi publishes no CRD on Maven Central: {@link
 * ManifestsTest} checks its kinds' fields.
 */
class FlinkDeploymentSchemaTest {
    static final String CRD = "META-INF/fabric8/flinkdeployments.flink.apache.org-v1.yml";

    @Test
    void flinkDeploymentsConformToTheOperatorsCrd() throws IOException {
        Map<String, Object> schema = schema("v1beta1");
        ManifestsTest.parse();
        List<ManifestsTest.Resource> deployments = ManifestsTest.all("FlinkDeployment");
        assertThat(deployments).hasSize(2);
        for (ManifestsTest.Resource d : deployments) {
            Map<String, Object> specSchema =
                    ManifestsTest.map(ManifestsTest.map(schema, "properties"), "spec");
            List<String> problems = CrdSchema.validate(d.spec(), specSchema, "spec");
            assertThat(problems)
                    .as("%s against the CRD", d)
                    .allSatisfy(p -> assertThat(p).startsWith("spec.flinkVersion: v2_"));
            assertThat(d.spec().get("flinkVersion")).isEqualTo("v2_2");
        }
    }

    @Test
    void theCheckerFindsUnknownFieldsWrongTypesAndEnums() throws IOException {
        Map<String, Object> spec =
                ManifestsTest.map(ManifestsTest.map(schema("v1beta1"), "properties"), "spec");
        Map<String, Object> bad =
                Map.of(
                        "image", "x",
                        "jobb", Map.of(),
                        "job", Map.of("parallelism", "two", "upgradeMode", "sometimes"));
        assertThat(CrdSchema.validate(bad, spec, "spec"))
                .contains(
                        "spec.jobb: unknown field",
                        "spec.job.parallelism: want an integer, got two")
                .anySatisfy(p -> assertThat(p).startsWith("spec.job.upgradeMode: sometimes"));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> schema(String version) throws IOException {
        try (InputStream in =
                FlinkDeploymentSchemaTest.class.getClassLoader().getResourceAsStream(CRD)) {
            assertThat(in)
                    .as("%s on the test classpath (flink-kubernetes-operator-api)", CRD)
                    .isNotNull();
            Map<String, Object> crd = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
            for (Object v : ManifestsTest.list(ManifestsTest.map(crd, "spec"), "versions")) {
                Map<String, Object> entry = ManifestsTest.map(v);
                if (version.equals(entry.get("name"))) {
                    return ManifestsTest.map(ManifestsTest.map(entry, "schema"), "openAPIV3Schema");
                }
            }
        }
        throw new AssertionError("no version " + version + " in " + CRD);
    }
}
