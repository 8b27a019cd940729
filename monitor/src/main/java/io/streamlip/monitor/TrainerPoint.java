package io.streamlip.monitor;

import java.util.Map;

/**
 * One model update on the trainer's curves.
 *
 * @param step the trainer's step
 * @param time when the update was published (epoch milliseconds)
 * @param loss mean training loss since the previous checkpoint, or null
 * @param eval evaluation summary (e.g. {@code i2t_r1}, {@code t2i_r1}, {@code zeroshot_acc}), empty
 *     when the checkpoint was not evaluated
 */
public record TrainerPoint(long step, long time, Double loss, Map<String, Double> eval) {}
