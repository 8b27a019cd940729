package io.streamlip.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a benchmark measured: a table for people and a JSON object for scripts, built together so
 * they cannot disagree.
 */
public final class BenchResult {
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final String name;
    private final List<String> columns;
    private final List<List<Object>> rows = new ArrayList<>();
    private final Map<String, Object> json = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    public BenchResult(String name, List<String> columns) {
        this.name = name;
        this.columns = List.copyOf(columns);
        json.put("benchmark", name);
    }

    /** Adds a table row; cells are formatted by type (doubles with 4 significant digits). */
    public BenchResult row(Object... cells) {
        if (cells.length != columns.size()) {
            throw new IllegalArgumentException(
                    "row has " + cells.length + " cells, table has " + columns.size() + " columns");
        }
        rows.add(List.of(cells));
        return this;
    }

    /** Sets a top-level JSON field. */
    public BenchResult put(String key, Object value) {
        json.put(key, value);
        return this;
    }

    /** A line printed under the table (machine, configuration, caveats). */
    public BenchResult note(String line) {
        notes.add(line);
        return this;
    }

    public String name() {
        return name;
    }

    public Map<String, Object> json() {
        return json;
    }

    public List<List<Object>> rows() {
        return rows;
    }

    /** The JSON object; includes the table as {@code rows} unless the benchmark set it. */
    public String toJson() {
        Map<String, Object> out = new LinkedHashMap<>(json);
        if (!out.containsKey("rows")) {
            List<Map<String, Object>> table = new ArrayList<>();
            for (List<Object> row : rows) {
                Map<String, Object> r = new LinkedHashMap<>();
                for (int i = 0; i < columns.size(); i++) {
                    r.put(columns.get(i), row.get(i));
                }
                table.add(r);
            }
            out.put("rows", table);
        }
        if (!notes.isEmpty()) {
            out.put("notes", notes);
        }
        try {
            return JSON.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An aligned text table with the notes under it. */
    public String toTable() {
        List<List<String>> cells = new ArrayList<>();
        cells.add(columns);
        for (List<Object> row : rows) {
            cells.add(row.stream().map(BenchResult::format).toList());
        }
        int[] width = new int[columns.size()];
        for (List<String> row : cells) {
            for (int i = 0; i < row.size(); i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        StringBuilder s = new StringBuilder(name).append('\n');
        for (int r = 0; r < cells.size(); r++) {
            List<String> row = cells.get(r);
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                s.append(i == 0 ? pad(cell, width[i], true) : "  " + pad(cell, width[i], false));
            }
            s.append('\n');
            if (r == 0) {
                int total = 0;
                for (int w : width) {
                    total += w + 2;
                }
                s.append("-".repeat(Math.max(0, total - 2))).append('\n');
            }
        }
        for (String note : notes) {
            s.append(note).append('\n');
        }
        return s.toString();
    }

    static String format(Object cell) {
        if (cell instanceof Double || cell instanceof Float) {
            double v = ((Number) cell).doubleValue();
            if (v == 0 || Math.abs(v) >= 1000) {
                return String.format(Locale.ROOT, "%.0f", v);
            }
            return String.format(Locale.ROOT, "%.4g", v);
        }
        return String.valueOf(cell);
    }

    private static String pad(String s, int width, boolean left) {
        String spaces = " ".repeat(Math.max(0, width - s.length()));
        return left ? s + spaces : spaces + s;
    }
}
