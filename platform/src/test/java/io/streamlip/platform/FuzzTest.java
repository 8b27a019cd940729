package io.streamlip.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class FuzzTest {
    private static final Pattern REPORTED =
            Pattern.compile("case (\\d+) of \\d+ failed \\(case seed 0x([0-9a-f]+)L");

    @Test
    void runsEveryCaseWithTheSameDrawsEachTime() {
        List<Long> first = new ArrayList<>();
        List<Long> second = new ArrayList<>();
        List<Long> otherSeed = new ArrayList<>();
        List<Integer> indexes = new ArrayList<>();
        Fuzz.run(
                "twice",
                200,
                7,
                (i, random) -> {
                    indexes.add(i);
                    first.add(random.nextLong());
                });
        Fuzz.run("twice", 200, 7, (i, random) -> second.add(random.nextLong()));
        Fuzz.run("other", 200, 8, (i, random) -> otherSeed.add(random.nextLong()));
        assertThat(indexes).hasSize(200).first().isEqualTo(0);
        assertThat(indexes).last().isEqualTo(199);
        assertThat(second).isEqualTo(first);
        assertThat(new HashSet<>(first)).as("each case its own random").hasSize(200);
        assertThat(otherSeed).doesNotContainAnyElementsOf(first);
    }

    @Test
    void aFailingCaseIsReportedWithItsSeedAndThatSeedAloneReproducesIt() {
        List<Long> drawn = new ArrayList<>();
        // fails on the first case whose random draws 42 below 100: which one only the seed decides
        Fuzz.FuzzCase body =
                (i, random) -> {
                    long value = random.nextLong();
                    drawn.add(value);
                    if (Math.floorMod(value, 100) == 42) {
                        throw new IllegalStateException("drew 42 in case " + i);
                    }
                };
        AssertionError error =
                catchThrowableOfType(
                        AssertionError.class, () -> Fuzz.run("hunt", 10_000, 1412, body));

        int failing = drawn.size() - 1;
        assertThat(failing).as("a case before the last fails").isLessThan(9_999);
        assertThat(error.getCause())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("drew 42 in case " + failing);
        assertThat(error.getMessage())
                .startsWith("hunt: case " + failing + " of 10000 failed (case seed 0x")
                .contains("Fuzz.replay(\"hunt\", " + failing + ", 0x")
                .contains("drew 42 in case " + failing);
        Matcher reported = REPORTED.matcher(error.getMessage());
        assertThat(reported.find()).isTrue();
        assertThat(Integer.parseInt(reported.group(1))).isEqualTo(failing);
        long caseSeed = Long.parseUnsignedLong(reported.group(2), 16);

        drawn.clear();
        assertThatThrownBy(() -> Fuzz.replay("hunt", failing, caseSeed, body))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("hunt: case " + failing + " of 1 failed")
                .cause()
                .hasMessage("drew 42 in case " + failing);
        assertThat(drawn).as("the replay drew the failing case's input").hasSize(1);
        assertThat(Math.floorMod(drawn.get(0), 100)).isEqualTo(42);
    }

    @Test
    void assertionFailuresAreReportedLikeExceptions() {
        assertThatThrownBy(
                        () -> Fuzz.run("asserts", 5, 1, (i, random) -> assertThat(i).isLessThan(3)))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("asserts: case 3 of 5 failed")
                .cause()
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void thePropertyMultipliesTheCases() {
        Set<Integer> indexes = new HashSet<>();
        System.setProperty(Fuzz.CASES_PROPERTY, "3");
        try {
            Fuzz.run("longer", 10, 1, (i, random) -> indexes.add(i));
        } finally {
            System.clearProperty(Fuzz.CASES_PROPERTY);
        }
        assertThat(indexes).hasSize(30);
    }

    @Test
    void drawsStayWithinTheirBounds() {
        SplittableRandom random = new SplittableRandom(3);
        int[] picked = new int[3];
        boolean sawEmpty = false;
        boolean sawFull = false;
        for (int n = 0; n < 2000; n++) {
            picked[Fuzz.weighted(random, 1, 0, 3)]++;
            int size = Fuzz.size(random, 50);
            assertThat(size).isBetween(0, 50);
            sawEmpty |= size == 0;
            sawFull |= size == 50;
            assertThat(Fuzz.bytes(random, 20).length).isBetween(0, 20);
            assertThat(Fuzz.string(random, 30).length()).isBetween(0, 30);
            assertThat(Fuzz.oneOf(random, "a", "b")).isIn("a", "b");
        }
        assertThat(picked[1]).isZero();
        assertThat(picked[2]).isGreaterThan(picked[0] * 2);
        assertThat(sawEmpty && sawFull).isTrue();
    }
}
