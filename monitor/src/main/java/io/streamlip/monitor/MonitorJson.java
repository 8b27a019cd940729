package io.streamlip.monitor;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The JSON the monitor shows (stdout, the dashboard's endpoints): strict JSON, so a figure that is
 * not known yet (NaN, e.g. a rate before the second snapshot) is written as {@code null}.
 */
public final class MonitorJson {
    private static final ObjectMapper MAPPER = create(false);
    private static final ObjectMapper PRETTY = create(true);

    private MonitorJson() {}

    private static ObjectMapper create(boolean pretty) {
        SimpleModule nanAsNull = new SimpleModule("nan-as-null");
        JsonSerializer<Double> doubles =
                new JsonSerializer<>() {
                    @Override
                    public void serialize(Double v, JsonGenerator g, SerializerProvider p)
                            throws IOException {
                        if (v == null || v.isNaN() || v.isInfinite()) {
                            g.writeNull();
                        } else {
                            g.writeNumber(v);
                        }
                    }
                };
        nanAsNull.addSerializer(Double.class, doubles);
        nanAsNull.addSerializer(double.class, doubles);
        ObjectMapper m = new ObjectMapper().registerModule(nanAsNull);
        return pretty ? m.enable(SerializationFeature.INDENT_OUTPUT) : m;
    }

    /** One compact JSON text. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One indented JSON text. */
    public static String pretty(Object value) {
        try {
            return PRETTY.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
