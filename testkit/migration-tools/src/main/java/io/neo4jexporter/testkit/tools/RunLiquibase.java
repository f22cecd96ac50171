package io.neo4jexporter.testkit.tools;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import liquibase.Scope;
import liquibase.command.CommandScope;
import liquibase.resource.DirectoryResourceAccessor;

/**
 * Runs Liquibase {@code update} with the real liquibase-core and liquibase-neo4j.
 *
 * <pre>
 * RunLiquibase --uri bolt://127.0.0.1:7687 --changelog /abs/changelog.xml
 *              [--search-path /abs/dir] [--user neo4j] [--database name] [--contexts list]
 *              [--labels expression]
 * </pre>
 *
 * The changelog is passed to Liquibase by its path relative to the search path (default: the
 * changelog's own directory), as the Liquibase CLI does; that relative path is the
 * {@code changeLog} Liquibase records, e.g. {@code changelog.xml} or, with {@code --search-path}
 * two levels up, {@code db/changelog/changelog.xml}. liquibase-neo4j takes a JDBC URL: {@code jdbc:neo4j:<bolt uri>}, with
 * {@code ?database=name} for another database. The password comes from NEO4J_PASSWORD. Exits 0
 * when the update succeeded, 1 when it failed, 2 on bad usage.
 */
public final class RunLiquibase {

    private static final String TOOL = "liquibase";

    private RunLiquibase() {}

    public static void main(String[] args) {
        Logs.quiet(args);
        CommandLine line = CommandLine.parse(TOOL, args,
                Set.of("--uri", "--changelog", "--search-path", "--user", "--database", "--contexts", "--labels"),
                Set.of("--verbose"));
        String uri = line.boltUri();
        String user = line.optional("--user", "neo4j");
        String password = line.password();
        Path changelog = Path.of(line.required("--changelog")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(changelog)) {
            line.usage("--changelog '" + line.required("--changelog") + "' is not a file");
        }
        Path searchPath = changelog.getParent();
        if (line.optional("--search-path", null) != null) {
            searchPath = Path.of(line.required("--search-path")).toAbsolutePath().normalize();
            if (!Files.isDirectory(searchPath)) {
                line.usage("--search-path '" + line.required("--search-path") + "' is not a directory");
            }
            if (!changelog.startsWith(searchPath)) {
                line.usage("--changelog '" + changelog + "' is not inside --search-path '" + searchPath + "'");
            }
        }
        String changelogFile = searchPath.relativize(changelog).toString().replace('\\', '/');
        String database = line.optional("--database", null);
        String jdbcUrl = "jdbc:neo4j:" + uri + (database == null ? "" : "?database=" + database);

        try {
            Map<String, Object> scope = Map.of(
                    Scope.Attr.resourceAccessor.name(), new DirectoryResourceAccessor(searchPath));
            Scope.child(scope, () -> {
                CommandScope update = new CommandScope("update")
                        .addArgumentValue("url", jdbcUrl)
                        .addArgumentValue("username", user)
                        .addArgumentValue("password", password)
                        .addArgumentValue("changelogFile", changelogFile);
                String contexts = line.optional("--contexts", null);
                if (contexts != null) {
                    update.addArgumentValue("contexts", contexts);
                }
                String labels = line.optional("--labels", null);
                if (labels != null) {
                    update.addArgumentValue("labelFilter", labels);
                }
                update.execute();
            });
            System.out.println(TOOL + ": update done with " + changelogFile);
        } catch (Exception e) {
            line.fail(e);
        }
        System.exit(0);
    }
}
