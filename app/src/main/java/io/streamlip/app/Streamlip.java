package io.streamlip.app;

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
            BenchCommand.class,
            TokenizerCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Streamlip implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
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
