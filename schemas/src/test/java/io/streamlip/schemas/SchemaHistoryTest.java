package io.streamlip.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SchemaHistoryTest {

    @ParameterizedTest
    @ValueSource(
            classes = {
                RawPair.class,
                CuratedPair.class,
                Example.class,
                Reject.class,
                ModelUpdate.class
            })
    void currentSchemaIsRecordedInTheHistory(Class<? extends SpecificRecord> type) {
        Schema current = org.apache.avro.specific.SpecificData.get().getSchema(type);
        long fingerprint = SchemaNormalization.parsingFingerprint64(current);
        List<Schema> history = SchemaHistory.load(current.getFullName());
        assertThat(history)
                .as(
                        "The schema of %s changed but its new version is not in"
                                + " schemas/src/main/resources%s. Add it as %s.v%d.avsc (with"
                                + " this content) and list it in INDEX:%n%s",
                        type.getSimpleName(),
                        SchemaHistory.FOLDER,
                        type.getSimpleName(),
                        history.size() + 1,
                        current.toString(true))
                .extracting(SchemaNormalization::parsingFingerprint64)
                .contains(fingerprint);
    }

    @ParameterizedTest
    @ValueSource(
            classes = {
                RawPair.class,
                CuratedPair.class,
                Example.class,
                Reject.class,
                ModelUpdate.class
            })
    void everyRecordedVersionIsReadableByTheCurrentSchema(Class<? extends SpecificRecord> type) {
        Schema current = org.apache.avro.specific.SpecificData.get().getSchema(type);
        for (Schema writer : SchemaHistory.load(current.getFullName())) {
            var result = SchemaCompatibility.checkReaderWriterCompatibility(current, writer);
            assertThat(result.getType())
                    .as("%s cannot read its recorded version: %s", type, result.getDescription())
                    .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        }
    }
}
