package io.streamlip.app;

import io.streamlip.platform.config.ConfigFile;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code streamlip} command line: one entry point, a subcommand per task. Machine-readable
 * output is one JSON object on stdout; logs go to stderr.
 */
@Command(
        name = "streamlip",
        mixinStandardHelpOptions = true,
        versionProvider = Streamlip.Version.class,
        description = {
            "Streaming language-image pretraining: Kafka -> Flink curation and tokenization ->"
                    + " DJL SigLIP training.",
            ""
        },
        subcommands = {
            DemoCommand.class,
            ImportCommand.class,
            TrainCommand.class,
            MonitorCommand.class,
            SubmitCommand.class,
            StopCommand.class,
            BlocklistCommand.class,
            EvalCommand.class,
            CaptionCommand.class,
            BenchCommand.class,
            TokenizerCommand.class,
            ModelCommand.class,
            TraceCommand.class,
            ConfigCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Streamlip implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(
            names = ConfigArgs.OPTION,
            paramLabel = "FILE",
            description =
                    "A configuration file (YAML, a section per command; `streamlip config"
                            + " example`). Also accepted after the command's name.")
    Path config;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /**
     * Runs the command line as {@code main} does, with {@value ConfigArgs#OPTION} files expanded
     * into options; returns the exit code.
     */
    public static int execute(String... args) {
        return execute(commandLine(), args);
    }

    /** {@link #execute(String...)} on {@code cli} (e.g. one whose output a test captures). */
    public static int execute(CommandLine cli, String... args) {
        String[] expanded;
        try {
            expanded = ConfigArgs.expand(Streamlip::commandLine, args);
        } catch (ConfigFile.InvalidConfigException e) {
            cli.getErr().println("streamlip: " + e.getMessage());
            return CommandLine.ExitCode.USAGE;
        }
        return cli.execute(expanded);
    }

    /** The configured command line, also used by tests. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Streamlip());
        cli.setExecutionExceptionHandler(
                (e, commandLine, parseResult) -> {
                    // A clear one-line error for expected failures; the stack trace in the log.
                    org.slf4j.LoggerFactory.getLogger(Streamlip.class).debug("failed", e);
                    commandLine.getErr().println("streamlip: " + messageOf(e));
                    return 1;
                });
        return cli;
    }

    static String messageOf(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version from the jar manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Streamlip.class.getPackage().getImplementationVersion();
            return new String[] {"streamlip " + (v == null ? "dev" : v)};
        }
    }
}
