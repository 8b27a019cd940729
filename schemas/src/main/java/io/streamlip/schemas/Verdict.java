package io.streamlip.schemas;

import java.util.Objects;

/**
 * The outcome of one stage for one record: accepted with a (possibly enriched) value, or refused
 * with a reason. Stages are plain functions from a record to a verdict, so they test without Flink.
 *
 * @param <T> the accepted value's type
 */
public sealed interface Verdict<T> permits Verdict.Accepted, Verdict.Refused {

    static <T> Verdict<T> accept(T value) {
        return new Accepted<>(value);
    }

    static <T> Verdict<T> refuse(RejectReason reason, String detail) {
        return new Refused<>(reason, detail);
    }

    default boolean accepted() {
        return this instanceof Accepted;
    }

    /** The accepted value; throws for a refusal. */
    default T value() {
        if (this instanceof Accepted<T> a) {
            return a.value;
        }
        throw new IllegalStateException("refused: " + this);
    }

    /** Accepted with {@code value}. */
    record Accepted<T>(T value) implements Verdict<T> {
        public Accepted {
            Objects.requireNonNull(value, "value");
        }
    }

    /** Refused for {@code reason}; {@code detail} says what was seen. */
    record Refused<T>(RejectReason reason, String detail) implements Verdict<T> {
        public Refused {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }

        /** The same refusal, typed for a later stage. */
        @SuppressWarnings("unchecked")
        public <U> Refused<U> cast() {
            return (Refused<U>) this;
        }
    }
}
