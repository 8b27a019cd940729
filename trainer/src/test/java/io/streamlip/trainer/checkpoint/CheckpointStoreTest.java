package io.streamlip.trainer.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {
    @TempDir Path temp;

    private static TrainingState state(long step) {
        return new TrainingState(
                "test/" + CheckpointStore.folderName(step),
                step,
                step * 4,
                0,
                List.of(new TrainingState.PartitionOffset("examples", 0, step * 4)),
                null,
                "bytes-v1",
                null,
                null,
                1.0,
                0.0,
                "2026-12-06T00:00:00Z",
                Map.of(),
                List.of(),
                42L,
                null);
    }

    private static Path write(CheckpointStore store, long step) throws IOException {
        return store.write(
                state(step),
                folder -> {
                    Files.write(folder.resolve("model.params"), new byte[1000 + (int) step]);
                    Files.createDirectories(folder.resolve("extra"));
                    Files.writeString(folder.resolve("extra/notes.txt"), "step " + step);
                });
    }

    private static List<String> names(CheckpointStore store) {
        return store.checkpoints().stream().map(p -> p.getFileName().toString()).toList();
    }

    @Test
    void keepsTheNewCheckpointsPredecessorEvenWhenAskedToKeepOne() throws Exception {
        CheckpointStore store = new CheckpointStore(temp, 1);
        for (long step = 1; step <= 4; step++) {
            write(store, step);
        }
        assertThat(names(store)).containsExactly("step-00000003", "step-00000004");
        try (var children = Files.list(temp)) {
            assertThat(children.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("step-00000003", "step-00000004");
        }
    }

    @Test
    void aWrittenCheckpointVerifiesAndListsEveryFileInItsManifest() throws Exception {
        Path checkpoint = write(new CheckpointStore(temp, 3), 7);
        TrainingState read = CheckpointStore.verify(checkpoint);
        assertThat(read.step()).isEqualTo(7);
        assertThat(read.offsets()).isEqualTo(state(7).offsets());
        assertThat(read.rngState()).isEqualTo(42L);
        String manifest = Files.readString(checkpoint.resolve(CheckpointStore.MANIFEST_FILE));
        assertThat(manifest).contains("model.params", "extra/notes.txt", "state.json");
    }

    @Test
    void verifyNamesTheFileThatIsShortMissingDamagedOrEmpty() throws Exception {
        CheckpointStore store = new CheckpointStore(temp, 10);

        Path shortParams = write(store, 1);
        try (RandomAccessFile f =
                new RandomAccessFile(shortParams.resolve("model.params").toFile(), "rw")) {
            f.setLength(10);
        }
        assertThatThrownBy(() -> CheckpointStore.verify(shortParams))
                .isInstanceOf(CheckpointStore.CorruptCheckpointException.class)
                .hasMessageContaining("model.params has 10 bytes, the manifest says 1001");

        Path missing = write(store, 2);
        Files.delete(missing.resolve("extra/notes.txt"));
        assertThatThrownBy(() -> CheckpointStore.verify(missing))
                .hasMessageContaining("extra/notes.txt is missing");

        Path flipped = write(store, 3);
        byte[] bytes = Files.readAllBytes(flipped.resolve("model.params"));
        bytes[500] ^= 0x10;
        Files.write(flipped.resolve("model.params"), bytes);
        assertThatThrownBy(() -> CheckpointStore.verify(flipped))
                .hasMessageContaining("model.params has CRC-32C");

        // Without a manifest (an older checkpoint), state.json itself must parse.
        Path emptyState = write(store, 4);
        Files.delete(emptyState.resolve(CheckpointStore.MANIFEST_FILE));
        Files.write(emptyState.resolve(CheckpointStore.STATE_FILE), new byte[0]);
        assertThatThrownBy(() -> CheckpointStore.verify(emptyState))
                .isInstanceOf(CheckpointStore.CorruptCheckpointException.class)
                .hasMessageContaining("unreadable state.json");
        Files.writeString(emptyState.resolve(CheckpointStore.STATE_FILE), "null");
        assertThatThrownBy(() -> CheckpointStore.verify(emptyState))
                .hasMessageContaining("holds no state");

        Path emptyManifest = write(store, 5);
        Files.write(emptyManifest.resolve(CheckpointStore.MANIFEST_FILE), new byte[0]);
        assertThatThrownBy(() -> CheckpointStore.verify(emptyManifest))
                .hasMessageContaining("unreadable manifest.json");

        Path outside = write(store, 6);
        Files.writeString(
                outside.resolve(CheckpointStore.MANIFEST_FILE),
                "{\"files\":[{\"path\":\"../x\",\"size\":1,\"crc32c\":\"0\"},"
                        + "{\"path\":\"state.json\",\"size\":1,\"crc32c\":\"0\"}]}",
                StandardCharsets.UTF_8);
        assertThatThrownBy(() -> CheckpointStore.verify(outside))
                .hasMessageContaining("names a file outside the checkpoint: ../x");

        // The folder resolves to the newest checkpoint that verifies: step 7, then 7 damaged.
        Path good = write(store, 7);
        assertThat(CheckpointStore.resolve(temp)).isEqualTo(good);
        Files.write(good.resolve("model.params"), new byte[3]);
        assertThatThrownBy(() -> CheckpointStore.resolve(temp))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writingAStepAgainReplacesItAndLeavesNothingTemporary() throws Exception {
        CheckpointStore store = new CheckpointStore(temp, 3);
        write(store, 5);
        Path again =
                store.write(
                        state(5),
                        folder -> Files.write(folder.resolve("model.params"), new byte[] {1, 2}));
        assertThat(Files.readAllBytes(again.resolve("model.params"))).containsExactly(1, 2);
        assertThat(CheckpointStore.verify(again).step()).isEqualTo(5);
        try (var children = Files.list(temp)) {
            assertThat(children.map(p -> p.getFileName().toString()))
                    .containsExactly("step-00000005");
        }
    }

    @Test
    void aFailedWriteKeepsTheCheckpointItWasReplacing() throws Exception {
        CheckpointStore store = new CheckpointStore(temp, 3);
        Path first = write(store, 5);
        assertThatThrownBy(
                        () ->
                                store.write(
                                        state(5),
                                        folder -> {
                                            throw new IOException("disk full");
                                        }))
                .hasMessage("disk full");
        assertThat(CheckpointStore.verify(first).step()).isEqualTo(5);
        try (var children = Files.list(temp)) {
            assertThat(children.map(p -> p.getFileName().toString()))
                    .containsExactly("step-00000005");
        }
    }

    @Test
    void aSetAsideCheckpointIsNeitherListedNorPruned() throws Exception {
        CheckpointStore store = new CheckpointStore(temp, 2);
        write(store, 1);
        Path damaged = write(store, 2);
        Path aside = store.setAside(damaged);
        assertThat(aside.getFileName().toString()).startsWith("step-00000002.corrupt-");
        assertThat(names(store)).containsExactly("step-00000001");
        write(store, 3);
        write(store, 4);
        assertThat(names(store)).containsExactly("step-00000003", "step-00000004");
        assertThat(aside).isDirectory();
    }
}
