package io.streamlip.trainer.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that decides which device the trainer's models and arrays live on: {@link
 * io.streamlip.trainer.TrainingSession} creates its {@code NDManager} on the device chosen here,
 * and every array of a step is created in that manager's children, so nothing else needs to know.
 *
 * <p>A GPU is only visible when the process loaded a CUDA build of libtorch (the {@code cuda} Maven
 * profile and {@code PYTORCH_LIBRARY_PATH}: README, "Running on a CUDA host"); with the default
 * {@code pytorch-native-cpu} jar the engine reports no GPU, whatever the machine has.
 */
public final class Devices {
    private static final Logger LOG = LoggerFactory.getLogger(Devices.class);

    /** How to get a CUDA libtorch: said whenever a GPU was asked for and none is seen. */
    static final String CUDA_HINT =
            "build with the cuda profile (./mvnw -Pcuda ...) and set PYTORCH_LIBRARY_PATH to a"
                    + " CUDA build of libtorch 2.7.1 (README: \"Running on a CUDA host\"), or use"
                    + " --device auto or cpu";

    private Devices() {}

    /** The device for {@code choice}, asking DJL's PyTorch engine how many GPUs it sees. */
    public static Device select(DeviceChoice choice) {
        Engine engine = Engine.getEngine("PyTorch");
        Device device = select(choice, engine.getGpuCount());
        LOG.info(
                "device {} ({} asked; PyTorch {} sees {} GPU(s))",
                device,
                choice,
                engine.getVersion(),
                engine.getGpuCount());
        return device;
    }

    /**
     * The device for {@code choice} when the engine sees {@code gpus} GPUs.
     *
     * @throws IllegalStateException for {@link DeviceChoice#GPU} without a GPU, saying what to do
     */
    public static Device select(DeviceChoice choice, int gpus) {
        return switch (choice) {
            case CPU -> Device.cpu();
            case AUTO -> gpus > 0 ? Device.gpu(0) : Device.cpu();
            case GPU -> {
                if (gpus <= 0) {
                    throw new IllegalStateException(
                            "--device gpu: DJL's PyTorch engine sees no GPU (the libtorch it"
                                    + " loaded is a CPU build, or no CUDA device is visible); "
                                    + CUDA_HINT);
                }
                yield Device.gpu(0);
            }
        };
    }
}
