package io.neo4jexporter.testkit.tools;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The small shared part of the tool mains: {@code --name value} options, flags, the password from
 * the environment, and the exit codes (0 done, 1 the tool failed, 2 bad usage).
 */
final class CommandLine {

    static final int FAILED = 1;
    static final int USAGE = 2;
    static final String PASSWORD_VARIABLE = "NEO4J_PASSWORD";

    private final String tool;
    private final Map<String, List<String>> values = new LinkedHashMap<>();
    private final List<String> flags = new ArrayList<>();

    private CommandLine(String tool) {
        this.tool = tool;
    }

    /** Parses {@code args}; anything not in {@code options} (take a value) or {@code flagNames} is bad usage. */
    static CommandLine parse(String tool, String[] args, Set<String> options, Set<String> flagNames) {
        CommandLine line = new CommandLine(tool);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (flagNames.contains(arg)) {
                line.flags.add(arg);
            } else if (options.contains(arg)) {
                if (i + 1 >= args.length || args[i + 1].isEmpty()) {
                    line.usage(arg + " needs a value");
                }
                line.values.computeIfAbsent(arg, k -> new ArrayList<>()).add(args[++i]);
            } else if (arg.startsWith("--password")) {
                line.usage("there is no " + arg + "; the password is taken from " + PASSWORD_VARIABLE + " only");
            } else {
                line.usage("unknown argument '" + arg + "'");
            }
        }
        return line;
    }

    String required(String option) {
        List<String> given = values.get(option);
        if (given == null) {
            usage("missing " + option);
        }
        if (given.size() > 1) {
            usage(option + " given more than once");
        }
        return given.get(0);
    }

    String optional(String option, String fallback) {
        return values.containsKey(option) ? required(option) : fallback;
    }

    List<String> all(String option) {
        List<String> given = values.get(option);
        if (given == null) {
            usage("missing " + option);
        }
        return given;
    }

    boolean flag(String name) {
        return flags.contains(name);
    }

    /** The password is read from the environment only, so that it never shows in a process list. */
    String password() {
        String password = System.getenv(PASSWORD_VARIABLE);
        if (password == null || password.isEmpty()) {
            usage(PASSWORD_VARIABLE + " is not set (the password is taken from the environment only)");
        }
        return password;
    }

    /** A Bolt URI the Java driver accepts: bolt, bolt+s, bolt+ssc, neo4j, neo4j+s or neo4j+ssc. */
    String boltUri() {
        String uri = required("--uri");
        if (!uri.matches("(bolt|neo4j)(\\+s|\\+ssc)?://[^/?#\\s]+/?")) {
            usage("--uri '" + uri + "' is not a Bolt URI like bolt://127.0.0.1:7687");
        }
        return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    }

    void usage(String message) {
        System.err.println(tool + ": " + message);
        System.exit(USAGE);
    }

    /** Prints the failure as one line plus its causes, and exits with 1. */
    void fail(Throwable error) {
        StringBuilder text = new StringBuilder(tool).append(": failed: ").append(describe(error));
        for (Throwable cause = error.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            text.append(System.lineSeparator()).append("  caused by: ").append(describe(cause));
        }
        System.err.println(text);
        if (System.getenv("MIGRATION_TOOLS_STACKTRACE") != null) {
            error.printStackTrace();
        }
        System.exit(FAILED);
    }

    private static String describe(Throwable error) {
        String message = error.getMessage();
        return error.getClass().getName() + (message == null ? "" : ": " + message.strip());
    }
}
