package io.neo4jexporter.testkit.tools;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import ac.simons.neo4j.migrations.core.MigrationVersion;
import ac.simons.neo4j.migrations.core.Migrations;
import ac.simons.neo4j.migrations.core.MigrationsConfig;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;

/**
 * Applies every migration found in one or more directories with the real Neo4j-Migrations Java API.
 *
 * <pre>
 * RunMigrations --uri bolt://127.0.0.1:7687 --locations /abs/dir [--locations /other/dir]
 *               [--user neo4j] [--database name] [--installed-by name] [--flyway-checksums]
 * </pre>
 *
 * The password comes from NEO4J_PASSWORD. Exits 0 once the database is up to date, 1 when the
 * tool fails, 2 on bad usage.
 */
public final class RunMigrations {

    private static final String TOOL = "neo4j-migrations";

    private RunMigrations() {}

    public static void main(String[] args) {
        Logs.quiet(args);
        CommandLine line = CommandLine.parse(TOOL, args,
                Set.of("--uri", "--locations", "--user", "--database", "--installed-by"),
                Set.of("--flyway-checksums", "--verbose"));
        String uri = line.boltUri();
        String user = line.optional("--user", "neo4j");
        String password = line.password();
        List<String> locations = line.all("--locations").stream().map(dir -> fileLocation(line, dir)).toList();

        MigrationsConfig.Builder config = MigrationsConfig.builder()
                .withLocationsToScan(locations.toArray(String[]::new))
                .withPackagesToScan()
                .withFlywayCompatibleChecksums(line.flag("--flyway-checksums"));
        Optional.ofNullable(line.optional("--database", null)).ifPresent(config::withDatabase);
        Optional.ofNullable(line.optional("--installed-by", null)).ifPresent(config::withInstalledBy);

        try (Driver driver = GraphDatabase.driver(uri, AuthTokens.basic(user, password))) {
            driver.verifyConnectivity();
            Migrations migrations = new Migrations(config.build(), driver);
            Optional<MigrationVersion> version = migrations.apply();
            System.out.println(TOOL + ": applied; the database is at version "
                    + version.map(MigrationVersion::getValue).orElse("(none: no migrations found)"));
        } catch (Exception e) {
            line.fail(e);
        }
        System.exit(0);
    }

    /** Neo4j-Migrations takes file-system locations as file: URIs. */
    private static String fileLocation(CommandLine line, String dir) {
        Path path = Path.of(dir).toAbsolutePath().normalize();
        if (!Files.isDirectory(path)) {
            line.usage("--locations '" + dir + "' is not a directory");
        }
        return path.toUri().toString();
    }
}
