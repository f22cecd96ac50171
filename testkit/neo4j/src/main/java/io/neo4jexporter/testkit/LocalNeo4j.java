package io.neo4jexporter.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;

/**
 * Runs one embedded Neo4j Community DBMS with Bolt on 127.0.0.1 until SIGTERM.
 *
 * <p>Arguments: {@code <home dir> <bolt port> <settings flavour: 4 | 5> [key=value ...]}. The password
 * comes from the NEO4J_LOCAL_PASSWORD environment variable so that it is not visible in the
 * process list. Once a real Bolt login succeeds, the server's name, version and edition are
 * written to {@code <home>/ready}; the shell launcher waits for that file.
 */
public final class LocalNeo4j {

    private LocalNeo4j() {}

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable e) {
            // Server threads would keep a failed JVM alive; the launcher must see it exit.
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: LocalNeo4j <home> <port> <4|5> [setting=value ...]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        boolean legacySettings = args[2].equals("4");
        String password = System.getenv("NEO4J_LOCAL_PASSWORD");
        if (password == null || password.isEmpty()) {
            System.err.println("NEO4J_LOCAL_PASSWORD is not set");
            System.exit(2);
        }

        Map<String, String> settings = legacySettings ? legacySettings(port) : currentSettings(port);
        for (int i = 3; i < args.length; i++) {
            String[] pair = args[i].split("=", 2);
            if (pair.length != 2) {
                System.err.println("setting '" + args[i] + "' is not key=value");
                System.exit(2);
            }
            settings.put(pair[0], pair[1]);
        }

        Path ready = home.resolve("ready");
        Files.deleteIfExists(ready);
        // A properties file is the one way of passing settings by name that 4.4 and 5+ share.
        Path conf = home.resolve("neo4j.conf");
        writeAtomically(conf, asProperties(settings));
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home).loadPropertiesFromFile(conf).build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.deleteIfExists(ready);
            } catch (IOException ignored) {
                // The launcher removes its state files on stop as well.
            }
            dbms.shutdown();
            stopped.countDown();
        }, "neo4j-local-shutdown"));

        exitWhenWatchedProcessEnds(System.getenv("NEO4J_LOCAL_WATCH_PID"));
        setInitialPassword(dbms, password);
        // With TLS required, log in over TLS without checking the test's own certificate.
        String scheme = settings.getOrDefault("server.bolt.tls_level", settings.getOrDefault("dbms.connector.bolt.tls_level", ""))
                .equals("REQUIRED") ? "bolt+ssc" : "bolt";
        String identity = loginOverBoltWithRetries(scheme, port, password);
        writeAtomically(ready, identity);
        System.out.println("neo4j-local: ready on bolt://127.0.0.1:" + port + " (" + identity.trim() + ")");
        stopped.await();
    }

    /**
     * A test run that dies without stopping its servers must not leave them behind: with a
     * watched process id, the server shuts itself down (through the shutdown hook) once that
     * process has gone.
     */
    private static void exitWhenWatchedProcessEnds(String pid) {
        if (pid == null || pid.isBlank()) {
            return;
        }
        long watched = Long.parseLong(pid.trim());
        Thread watcher = new Thread(() -> {
            while (ProcessHandle.of(watched).map(ProcessHandle::isAlive).orElse(false)) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.out.println("neo4j-local: process " + watched + " has ended; shutting down");
            System.exit(0);
        }, "neo4j-local-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static Map<String, String> legacySettings(int port) {
        Map<String, String> s = new HashMap<>();
        s.put("dbms.connector.bolt.enabled", "true");
        s.put("dbms.connector.bolt.listen_address", "127.0.0.1:" + port);
        s.put("dbms.connector.bolt.advertised_address", "127.0.0.1:" + port);
        s.put("dbms.security.auth_enabled", "true");
        s.put("dbms.memory.pagecache.size", "64m");
        s.put("dbms.tx_log.rotation.retention_policy", "1 files");
        s.put("dbms.udc.enabled", "false");
        // Netty's default quiet period makes every stop take ten seconds.
        s.put("unsupported.dbms.bolt.netty_server_shutdown_quiet_period", "0");
        return s;
    }

    private static Map<String, String> currentSettings(int port) {
        Map<String, String> s = new HashMap<>();
        s.put("server.bolt.enabled", "true");
        s.put("server.bolt.listen_address", "127.0.0.1:" + port);
        s.put("server.bolt.advertised_address", "127.0.0.1:" + port);
        s.put("dbms.security.auth_enabled", "true");
        s.put("server.memory.pagecache.size", "64m");
        s.put("db.tx_log.rotation.retention_policy", "1 files");
        s.put("internal.dbms.bolt.netty_server_shutdown_quiet_period", "0");
        return s;
    }

    private static String asProperties(Map<String, String> settings) {
        StringBuilder out = new StringBuilder();
        settings.forEach((key, value) -> out.append(key).append('=').append(value).append('\n'));
        return out.toString();
    }

    /** The embedded API runs with full rights, so it can set the password without the old one. */
    private static void setInitialPassword(DatabaseManagementService dbms, String password) {
        String quoted = "'" + password.replace("\\", "\\\\").replace("'", "\\'") + "'";
        try {
            dbms.database("system")
                    .executeTransactionally("ALTER USER neo4j SET PASSWORD " + quoted + " CHANGE NOT REQUIRED");
        } catch (RuntimeException e) {
            // A restart on an existing directory with the same password is fine.
            if (!String.valueOf(e.getMessage()).toLowerCase().contains("old password and new password cannot be the same")) {
                throw e;
            }
        }
    }

    /** On a busy machine the first logins can fail while the server warms up; try for a minute. */
    private static String loginOverBoltWithRetries(String scheme, int port, String password) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try {
                return loginOverBolt(scheme, port, password);
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                System.out.println("neo4j-local: Bolt login not possible yet (" + e.getMessage() + "); retrying");
                Thread.sleep(500);
            }
        }
    }

    /** Proves the server is usable the way clients use it: a Bolt login and a read. */
    private static String loginOverBolt(String scheme, int port, String password) {
        try (Driver driver = GraphDatabase.driver(scheme + "://127.0.0.1:" + port, AuthTokens.basic("neo4j", password));
                Session session = driver.session()) {
            // Newer servers list more than one component; the kernel carries the server version.
            Record row = session.run("CALL dbms.components() YIELD name, versions, edition "
                    + "WHERE name = 'Neo4j Kernel' RETURN name, versions[0] AS version, edition").single();
            return row.get("name").asString() + " " + row.get("version").asString() + " "
                    + row.get("edition").asString() + "\n";
        }
    }

    private static void writeAtomically(Path target, String content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
