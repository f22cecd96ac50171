package io.neo4jexporter.testkit.tools;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;
import org.neo4j.driver.Value;
import org.neo4j.driver.exceptions.ClientException;
import org.neo4j.driver.types.Node;
import org.neo4j.driver.types.Relationship;

/**
 * Prints what the migration tools wrote: every node with a label starting with {@code __}, every
 * relationship leaving such a node, and the constraints and indexes, one property a line with its
 * type. Types are the Cypher ones from {@code valueType()} where the server has it (5.13 and later)
 * and the Java driver's otherwise (4.4).
 *
 * <pre>
 * Inspect --uri bolt://127.0.0.1:7687 [--user neo4j] [--database name]
 * </pre>
 */
public final class Inspect {

    private static final String TOOL = "inspect";

    private Inspect() {}

    public static void main(String[] args) {
        Logs.quiet(args);
        CommandLine line = CommandLine.parse(TOOL, args, Set.of("--uri", "--user", "--database"), Set.of("--verbose"));
        String uri = line.boltUri();
        String user = line.optional("--user", "neo4j");
        String password = line.password();
        String database = line.optional("--database", null);
        SessionConfig sessionConfig = database == null ? SessionConfig.defaultConfig() : SessionConfig.forDatabase(database);

        try (Driver driver = GraphDatabase.driver(uri, AuthTokens.basic(user, password));
                Session session = driver.session(sessionConfig)) {
            boolean cypherTypes = hasValueType(session);
            System.out.println("# types: " + (cypherTypes ? "Cypher valueType()" : "Java driver (no valueType() on this server)"));
            printNodes(session, cypherTypes);
            printRelationships(session, cypherTypes);
            printSchema(session, "SHOW CONSTRAINTS", "constraint");
            printSchema(session, "SHOW INDEXES", "index");
        } catch (Exception e) {
            line.fail(e);
        }
        System.exit(0);
    }

    private static boolean hasValueType(Session session) {
        try {
            session.run("RETURN valueType(1) AS t").consume();
            return true;
        } catch (ClientException e) {
            return false;
        }
    }

    private static void printNodes(Session session, boolean cypherTypes) {
        String query = """
                MATCH (n) WHERE any(l IN labels(n) WHERE l STARTS WITH '__')
                RETURN n, %s AS types
                ORDER BY labels(n)[0], id(n)
                """.formatted(cypherTypes ? "[k IN keys(n) | [k, valueType(n[k])]]" : "[]");
        for (Record row : session.run(query).list()) {
            Node node = row.get("n").asNode();
            System.out.println("node " + node.elementId() + " :" + String.join(":", node.labels()));
            printProperties(node.asMap(v -> v), cypherTypes(row.get("types")));
        }
    }

    private static void printRelationships(Session session, boolean cypherTypes) {
        String query = """
                MATCH (a)-[r]->(b) WHERE any(l IN labels(a) WHERE l STARTS WITH '__')
                RETURN a, r, b, %s AS types
                ORDER BY type(r), id(a), id(r)
                """.formatted(cypherTypes ? "[k IN keys(r) | [k, valueType(r[k])]]" : "[]");
        for (Record row : session.run(query).list()) {
            Node from = row.get("a").asNode();
            Node to = row.get("b").asNode();
            Relationship rel = row.get("r").asRelationship();
            System.out.println("relationship " + rel.elementId() + " (" + from.elementId() + " " + brief(from) + ")-[:" + rel.type()
                    + "]->(" + to.elementId() + " " + brief(to) + ")");
            printProperties(rel.asMap(v -> v), cypherTypes(row.get("types")));
        }
    }

    private static String brief(Node node) {
        String key = node.containsKey("version") ? "version" : node.containsKey("id") ? "id" : null;
        return ":" + String.join(":", node.labels()) + (key == null ? "" : " " + key + "=" + node.get(key));
    }

    private static void printSchema(Session session, String query, String kind) {
        try {
            for (Record row : session.run(query).list()) {
                Map<String, Object> fields = new TreeMap<>();
                for (String key : List.of("name", "type", "entityType", "labelsOrTypes", "properties", "owningConstraint")) {
                    if (row.containsKey(key) && !row.get(key).isNull()) {
                        fields.put(key, row.get(key).asObject());
                    }
                }
                System.out.println(kind + " " + fields);
            }
        } catch (ClientException e) {
            System.out.println(kind + " (" + query + " failed: " + e.getMessage() + ")");
        }
    }

    private static Map<String, String> cypherTypes(Value types) {
        Map<String, String> byKey = new HashMap<>();
        for (Value pair : types.values()) {
            byKey.put(pair.get(0).asString(), pair.get(1).asString());
        }
        return byKey;
    }

    private static void printProperties(Map<String, Value> properties, Map<String, String> cypherTypes) {
        List<String> keys = new ArrayList<>(properties.keySet());
        keys.sort(null);
        for (String key : keys) {
            Value value = properties.get(key);
            String type = cypherTypes.getOrDefault(key, "driver " + value.type().name());
            System.out.println("  " + key + ": " + type + " = " + value);
        }
    }
}
