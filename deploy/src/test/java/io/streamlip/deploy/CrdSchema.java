package io.streamlip.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks a value against a CRD's OpenAPI v3 schema the way the Kubernetes API server does for the
 * parts that catch mistakes in hand-written manifests: unknown fields (pruning would drop them
 * silently), types, enums and required fields. Honours {@code x-kubernetes-preserve-unknown-fields}
 * and {@code x-kubernetes-int-or-string}; formats and numeric bounds are not checked.
 */
final class CrdSchema {
    private CrdSchema() {}

    /** Every problem found, as {@code path: message}; empty when {@code value} conforms. */
    static List<String> validate(Object value, Map<String, Object> schema, String path) {
        List<String> problems = new ArrayList<>();
        check(value, schema, path, problems);
        return problems;
    }

    @SuppressWarnings("unchecked")
    private static void check(
            Object value, Map<String, Object> schema, String path, List<String> problems) {
        if (value == null) {
            return;
        }
        if (Boolean.TRUE.equals(schema.get("x-kubernetes-int-or-string"))) {
            if (!(value instanceof Integer || value instanceof Long || value instanceof String)) {
                problems.add(path + ": want an integer or a string, got " + value);
            }
            return;
        }
        Object enumValues = schema.get("enum");
        if (enumValues instanceof List<?> allowed
                && allowed.stream()
                        .noneMatch(a -> String.valueOf(a).equals(String.valueOf(value)))) {
            problems.add(path + ": " + value + " is not one of " + allowed);
        }
        String type = (String) schema.get("type");
        boolean preserve = Boolean.TRUE.equals(schema.get("x-kubernetes-preserve-unknown-fields"));
        if (type == null) {
            return;
        }
        switch (type) {
            case "object" -> {
                if (!(value instanceof Map<?, ?> map)) {
                    problems.add(path + ": want an object, got " + value);
                    return;
                }
                Map<String, Object> properties =
                        (Map<String, Object>) schema.getOrDefault("properties", Map.of());
                Object additional = schema.get("additionalProperties");
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    String key = String.valueOf(e.getKey());
                    String at = path + "." + key;
                    if (properties.containsKey(key)) {
                        check(
                                e.getValue(),
                                (Map<String, Object>) properties.get(key),
                                at,
                                problems);
                    } else if (additional instanceof Map<?, ?> each) {
                        check(e.getValue(), (Map<String, Object>) each, at, problems);
                    } else if (!preserve && !Boolean.TRUE.equals(additional)) {
                        problems.add(at + ": unknown field");
                    }
                }
                Object required = schema.get("required");
                if (required instanceof List<?> names) {
                    for (Object name : names) {
                        if (!map.containsKey(name)) {
                            problems.add(path + ": missing required field " + name);
                        }
                    }
                }
            }
            case "array" -> {
                if (!(value instanceof List<?> list)) {
                    problems.add(path + ": want an array, got " + value);
                    return;
                }
                Object items = schema.get("items");
                for (int i = 0; i < list.size(); i++) {
                    if (items instanceof Map<?, ?> itemSchema) {
                        check(
                                list.get(i),
                                (Map<String, Object>) itemSchema,
                                path + "[" + i + "]",
                                problems);
                    }
                }
            }
            case "string" -> {
                if (!(value instanceof String)) {
                    problems.add(path + ": want a string, got " + value);
                }
            }
            case "integer" -> {
                if (!(value instanceof Integer || value instanceof Long)) {
                    problems.add(path + ": want an integer, got " + value);
                }
            }
            case "number" -> {
                if (!(value instanceof Number)) {
                    problems.add(path + ": want a number, got " + value);
                }
            }
            case "boolean" -> {
                if (!(value instanceof Boolean)) {
                    problems.add(path + ": want a boolean, got " + value);
                }
            }
            default -> problems.add(path + ": schema type " + type + " not understood");
        }
    }
}
