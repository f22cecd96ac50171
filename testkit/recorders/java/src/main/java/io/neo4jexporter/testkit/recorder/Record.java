package io.neo4jexporter.testkit.recorder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Config;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Session;
import org.neo4j.driver.Transaction;
import org.neo4j.driver.TransactionConfig;
import org.neo4j.driver.Values;
import org.neo4j.driver.exceptions.Neo4jException;

/**
 * A runbook-schema migration runner on the official Java driver, written the way such runners
 * usually are: the file is decoded as UTF-8 ({@code new String(bytes, UTF_8)}: undecodable bytes
 * become U+FFFD), its checksum is the SHA-256 of that text, its statements run in one write
 * transaction, and the outcome is stored as {@code (:Migration {filename, status, appliedAt,
 * executionTime, checksum, description})} with {@code "FAILED: " + e.getMessage()} as the
 * description of a failure. Usage and options: see ../README.md.
 */
public final class Record {
    private String uri = "";
    private String user = "neo4j";
    private String label = "Migration";
    private String form = "message";
    private long timeoutMs = 0;
    private boolean keepGoing = false;
    private final List<String> files = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        Record runner = new Record();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--uri" -> runner.uri = args[++i];
                case "--user" -> runner.user = args[++i];
                case "--label" -> runner.label = args[++i];
                case "--form" -> runner.form = args[++i];
                case "--timeout-ms" -> runner.timeoutMs = Long.parseLong(args[++i]);
                case "--keep-going" -> runner.keepGoing = true;
                default -> runner.files.add(args[i]);
            }
        }
        System.exit(runner.run() ? 0 : 1);
    }

    /** The text a runner stores: the message, the code and message, or the exception's toString(). */
    private String describe(Neo4jException error) {
        return switch (form) {
            case "code" -> error.code() + ": " + error.getMessage();
            case "string" -> error.toString();
            default -> error.getMessage();
        };
    }

    private static List<String> statementsOf(String text) {
        List<String> statements = new ArrayList<>();
        for (String part : text.split(";[ \\t]*\\r?\\n|;[ \\t]*$")) {
            if (!part.isBlank()) statements.add(part.strip());
        }
        return statements;
    }

    private boolean run() throws Exception {
        String node = "`" + label.replace("`", "``") + "`";
        Config config = Config.builder().withLogging(org.neo4j.driver.Logging.none()).build();
        boolean ok = true;
        try (Driver driver = GraphDatabase.driver(uri, AuthTokens.basic(user, System.getenv("NEO4J_PASSWORD")), config)) {
            for (String filename : files) {
                String text = new String(Files.readAllBytes(Path.of(filename)), StandardCharsets.UTF_8);
                String checksum = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
                try (Session session = driver.session()) {
                    var applied = session.run(
                            "MATCH (m:" + node + " {filename: $filename, status: 'SUCCESS'}) RETURN m.checksum AS checksum ORDER BY m.appliedAt DESC LIMIT 1",
                            Values.parameters("filename", filename)).list();
                    Map<String, Object> record = new HashMap<>();
                    record.put("filename", filename);
                    record.put("checksum", checksum);
                    record.put("status", "SUCCESS");
                    record.put("description", Path.of(filename).getFileName().toString());
                    long started = System.nanoTime();
                    long elapsedMs = 0;
                    if (!applied.isEmpty()) {
                        if (checksum.equals(applied.get(0).get("checksum").asString(null))) {
                            System.out.println("UNCHANGED " + filename);
                            continue;
                        }
                        record.put("status", "FAILED");
                        record.put("description", "FAILED: Migration " + filename + " has been modified after application!");
                    } else {
                        TransactionConfig txConfig = timeoutMs > 0
                                ? TransactionConfig.builder().withTimeout(Duration.ofMillis(timeoutMs)).build()
                                : TransactionConfig.empty();
                        try (Transaction tx = session.beginTransaction(txConfig)) {
                            for (String statement : statementsOf(text)) tx.run(statement).consume();
                            tx.commit();
                        } catch (Neo4jException error) {
                            record.put("status", "FAILED");
                            record.put("description", "FAILED: " + describe(error));
                        }
                        elapsedMs = (System.nanoTime() - started) / 1_000_000;
                    }
                    session.run("CREATE (m:" + node + ") SET m = $record, m.appliedAt = datetime(), m.executionTime = $ms",
                            Values.parameters("record", record, "ms", elapsedMs)).consume();
                    System.out.println(record.get("status") + " " + filename + " " + elapsedMs + " ms");
                    if ("FAILED".equals(record.get("status"))) {
                        System.out.println(record.get("description"));
                        ok = false;
                        if (!keepGoing) break;
                    }
                }
            }
        }
        return ok;
    }
}
