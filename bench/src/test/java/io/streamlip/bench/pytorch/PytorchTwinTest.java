package io.streamlip.bench.pytorch;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlip.trainer.model.ModelConfig;
import io.streamlip.trainer.optim.OptimizerConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The twin refuses a model it does not implement instead of benchmarking another one. */
@Tag("integration")
class PytorchTwinTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> request(String field, Object value) {
        Map<String, Object> model =
                new ObjectMapper().convertValue(ModelConfig.tiny(258), LinkedHashMap.class);
        model.put(field, value);
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("model", model);
        request.put("batch", 4);
        request.put("threads", 1);
        request.put("seed", 1);
        request.put("optimizer", OptimizerConfig.defaults());
        return request;
    }

    @Test
    @Timeout(120)
    void aFieldTheTwinDoesNotKnowStopsIt() {
        assumeTrue(SystemPytorch.debian().available(), "python3-torch is not installed");
        assertThatThrownBy(() -> PytorchTwin.start(PYTHON, request("textMask", "CAUSAL"), 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the PyTorch twin failed")
                .hasMessageContaining("textMask");
    }

    @Test
    @Timeout(120)
    void anImagePoolingTheTwinDoesNotImplementStopsIt() {
        assumeTrue(SystemPytorch.debian().available(), "python3-torch is not installed");
        assertThatThrownBy(() -> PytorchTwin.start(PYTHON, request("imagePooling", "MAP"), 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("imagePooling MAP is not implemented");
    }
}
