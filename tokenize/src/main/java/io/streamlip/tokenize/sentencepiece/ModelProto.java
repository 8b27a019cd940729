package io.streamlip.tokenize.sentencepiece;

/**
 * Reads what {@link SentencePieceTokenizer} needs from a SentencePiece {@code .model} file (a
 * {@code sentencepiece.ModelProto} protocol buffer) without a protobuf library: the number of
 * pieces (field 1, repeated) and, from the {@code trainer_spec} (field 2), {@code eos_id} (field
 * 42, default 2) and {@code pad_id} (field 43, default -1, none). The binding does not expose them.
 */
final class ModelProto {
    private static final int PIECES = 1;
    private static final int TRAINER_SPEC = 2;
    private static final int EOS_ID = 42;
    private static final int PAD_ID = 43;

    private ModelProto() {}

    /**
     * @param pieces vocabulary entries
     * @param eosId end-of-sequence id, -1 when disabled
     * @param padId padding id, -1 when none
     */
    record Summary(int pieces, int eosId, int padId) {}

    static Summary read(byte[] model) {
        Reader top = new Reader(model, 0, model.length);
        int pieces = 0;
        int eos = 2;
        int pad = -1;
        boolean sawTrainerSpec = false;
        while (top.more()) {
            long key = top.varint();
            int field = (int) (key >>> 3);
            int wire = (int) (key & 7);
            if (field == PIECES && wire == 2) {
                top.skip(wire);
                pieces++;
            } else if (field == TRAINER_SPEC && wire == 2) {
                sawTrainerSpec = true;
                int length = (int) top.varint();
                Reader spec = new Reader(model, top.position, top.position + length);
                top.position += length;
                while (spec.more()) {
                    long k = spec.varint();
                    int f = (int) (k >>> 3);
                    int w = (int) (k & 7);
                    if ((f == EOS_ID || f == PAD_ID) && w == 0) {
                        int value = (int) spec.varint(); // int32: negatives are 10-byte varints
                        if (f == EOS_ID) {
                            eos = value;
                        } else {
                            pad = value;
                        }
                    } else {
                        spec.skip(w);
                    }
                }
            } else {
                top.skip(wire);
            }
        }
        if (pieces == 0 || !sawTrainerSpec) {
            throw new IllegalArgumentException(
                    "not a SentencePiece model (no pieces or no trainer_spec)");
        }
        return new Summary(pieces, eos, pad);
    }

    /** A cursor over a range of protobuf bytes. */
    private static final class Reader {
        private final byte[] bytes;
        private final int end;
        private int position;

        Reader(byte[] bytes, int start, int end) {
            if (end > bytes.length || start > end) {
                throw new IllegalArgumentException("not a SentencePiece model (truncated)");
            }
            this.bytes = bytes;
            this.position = start;
            this.end = end;
        }

        boolean more() {
            return position < end;
        }

        long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (position >= end) {
                    throw new IllegalArgumentException("not a SentencePiece model (truncated)");
                }
                byte b = bytes[position++];
                value |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new IllegalArgumentException("not a SentencePiece model (bad varint)");
        }

        void skip(int wire) {
            switch (wire) {
                case 0 -> varint();
                case 1 -> advance(8);
                case 2 -> advance((int) varint());
                case 5 -> advance(4);
                default ->
                        throw new IllegalArgumentException(
                                "not a SentencePiece model (wire type " + wire + ")");
            }
        }

        private void advance(int n) {
            if (n < 0 || position + n > end) {
                throw new IllegalArgumentException("not a SentencePiece model (truncated)");
            }
            position += n;
        }
    }
}
