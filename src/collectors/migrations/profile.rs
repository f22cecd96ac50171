//! Runner profiles: one name for the record schema, the checksum and the identity of a file a
//! known kind of runner uses, so its users set one flag. Each choice can still
//! be set on its own, and then wins over the profile.

use super::Schema;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// The runbook's records, read as tolerantly as the first releases did.
    Runbook,
    /// A runbook-schema runner on Node.js: absolute paths, `readFileSync(f, 'utf8')` hashed with
    /// SHA-256, `common/` plus the folder of its environment.
    Node,
    /// A runbook-schema runner in Python: absolute paths, a file read in text mode.
    Python,
    /// A runbook-schema runner on the JVM: absolute paths, `new String(bytes, UTF_8)`.
    Java,
    /// A runbook-schema runner in Go: absolute paths, the file's bytes.
    Go,
    /// Neo4j-Migrations.
    Neo4jMigrations,
    /// liquibase-neo4j.
    Liquibase,
}

/// What a profile chooses, as the flag values it stands for.
pub struct Choices {
    pub schema: Schema,
    pub checksums: &'static str,
    pub identity: &'static str,
}

impl Profile {
    pub const NAMES: &'static str = "runbook, node, python, java, go, neo4j-migrations or liquibase";

    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim() {
            "runbook" => Ok(Profile::Runbook),
            "node" => Ok(Profile::Node),
            "python" => Ok(Profile::Python),
            "java" => Ok(Profile::Java),
            "go" => Ok(Profile::Go),
            "neo4j-migrations" => Ok(Profile::Neo4jMigrations),
            "liquibase" => Ok(Profile::Liquibase),
            _ => Err(format!("expected {}", Profile::NAMES)),
        }
    }

    pub fn choices(self) -> Choices {
        let runner = |checksums| Choices { schema: Schema::Runbook, checksums, identity: "path" };
        match self {
            Profile::Runbook => Choices { schema: Schema::Runbook, checksums: "sha256,sha256-text", identity: "tail" },
            Profile::Node => runner("sha256-text"),
            Profile::Python => runner("sha256-text-lf"),
            Profile::Java => runner("sha256-text-java"),
            Profile::Go => runner("sha256"),
            Profile::Neo4jMigrations => Choices { schema: Schema::Neo4jMigrations, checksums: "neo4j-migrations", identity: "basename" },
            Profile::Liquibase => Choices { schema: Schema::Liquibase, checksums: "sha256", identity: "tail" },
        }
    }
}

/// The folders a deployment applies when no globs are given: with an environment, `common/`
/// and the folder named after it (as Node runners choose by `NODE_ENV`); else every folder.
pub fn default_include(environment: Option<&str>) -> String {
    environment.map_or_else(|| "**".to_string(), |environment| format!("common/**,{environment}/**"))
}
