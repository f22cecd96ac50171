package io.neo4jexporter.testkit;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Record;
import org.neo4j.driver.Result;
import org.neo4j.driver.Session;
import org.neo4j.driver.summary.Plan;
import org.neo4j.driver.summary.ResultSummary;

/**
 * Runs Cypher statements against a testkit server over Bolt, for demo data and benchmarks.
 *
 * <p>Arguments: {@code <bolt port> <file or -> }. Statements end with a semicolon at the end of
 * a line; lines starting with {@code //} are comments. Each statement runs in its own
 * auto-commit transaction; result rows are printed tab-separated, and for EXPLAIN or PROFILE a
 * line {@code plan: <operators>}. The password comes from
 * NEO4J_LOCAL_PASSWORD.
 */
public final class LocalCypher {

    private LocalCypher() {}

    public static void main(String[] args) throws Exception {
        String password = System.getenv("NEO4J_LOCAL_PASSWORD");
        String text = args[1].equals("-")
                ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                : Files.readString(Path.of(args[1]));
        try (Driver driver = GraphDatabase.driver("bolt://127.0.0.1:" + args[0], AuthTokens.basic("neo4j", password));
                Session session = driver.session()) {
            for (String statement : statements(text)) {
                Result result = session.run(statement);
                for (Record row : result.list()) {
                    System.out.println(row.values().stream().map(Object::toString).collect(Collectors.joining("\t")));
                }
                ResultSummary summary = result.consume();
                if (summary.hasPlan()) {
                    System.out.println("plan: " + String.join(" ", operators(summary.plan(), new ArrayList<>())));
                }
            }
        } catch (RuntimeException e) {
            System.err.println("neo4j-local cypher: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Every operator of an EXPLAIN or PROFILE plan, depth first, without the runtime suffix. */
    static List<String> operators(Plan plan, List<String> out) {
        out.add(plan.operatorType().split("@")[0]);
        for (Plan child : plan.children()) {
            operators(child, out);
        }
        return out;
    }

    static List<String> statements(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (line.strip().startsWith("//")) {
                continue;
            }
            current.append(line).append('\n');
            if (line.stripTrailing().endsWith(";")) {
                String statement = current.toString().strip();
                out.add(statement.substring(0, statement.length() - 1));
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) {
            out.add(current.toString().strip());
        }
        return out;
    }
}
