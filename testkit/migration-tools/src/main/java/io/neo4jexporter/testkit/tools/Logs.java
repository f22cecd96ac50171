package io.neo4jexporter.testkit.tools;

import java.util.Arrays;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The tools and the driver log through java.util.logging; keep only warnings unless --verbose. */
final class Logs {

    private Logs() {}

    static void quiet(String[] args) {
        Level level = Arrays.asList(args).contains("--verbose") ? Level.INFO : Level.WARNING;
        Logger root = Logger.getLogger("");
        root.setLevel(level);
        for (Handler handler : root.getHandlers()) {
            handler.setLevel(level);
        }
    }
}
