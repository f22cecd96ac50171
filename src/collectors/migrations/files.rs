//! The migrations directory the runner applies from: which files exist, their checksums, and
//! which record names which file.

use std::collections::HashMap;
use std::io;
use std::path::Path;

use sha2::{Digest, Sha256};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChecksumAlgorithm {
    /// SHA-256 of the file's bytes, as lower-case hex.
    Sha256,
    /// CRC-32 (IEEE) of the file's bytes; records may hold it in decimal or hex.
    Crc32,
    /// What Neo4j-Migrations records: CRC-32 over the file's statements, each trimmed and
    /// without its closing semicolon, joined with nothing between them.
    Neo4jMigrations,
}

impl ChecksumAlgorithm {
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "sha256" | "sha-256" => Ok(ChecksumAlgorithm::Sha256),
            "crc32" | "crc-32" => Ok(ChecksumAlgorithm::Crc32),
            "neo4j-migrations" => Ok(ChecksumAlgorithm::Neo4jMigrations),
            _ => Err("expected sha256, crc32 or neo4j-migrations".into()),
        }
    }

    pub fn digest(self, bytes: &[u8]) -> String {
        match self {
            ChecksumAlgorithm::Sha256 => Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect(),
            ChecksumAlgorithm::Crc32 => crc32(bytes).to_string(),
            ChecksumAlgorithm::Neo4jMigrations => crc32(&statements_joined(bytes)).to_string(),
        }
    }

    /// Whether a recorded checksum names the same content as a computed one, tolerating
    /// case, an `algorithm:` prefix, and (for CRC-32) hex or signed decimal forms.
    pub fn same(self, recorded: &str, computed: &str) -> bool {
        let recorded = recorded.trim().to_ascii_lowercase();
        let recorded = recorded.rsplit(':').next().unwrap_or_default();
        match self {
            ChecksumAlgorithm::Sha256 => recorded == computed,
            ChecksumAlgorithm::Crc32 | ChecksumAlgorithm::Neo4jMigrations => {
                let Ok(value) = computed.parse::<u32>() else { return false };
                recorded == computed
                    || recorded.parse::<i64>().is_ok_and(|n| n == value as i32 as i64)
                    || u32::from_str_radix(recorded.trim_start_matches("0x"), 16).is_ok_and(|n| n == value)
            }
        }
    }
}

/// A Cypher script's statements end with a semicolon at the end of a line.
fn statements_joined(bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes).replace("\r\n", "\n");
    text.split(";\n")
        .map(|statement| statement.trim())
        .map(|statement| statement.strip_suffix(';').unwrap_or(statement).trim_end())
        .filter(|statement| !statement.is_empty())
        .flat_map(|statement| statement.bytes())
        .collect()
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= byte as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// One file a runner would apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MigrationFile {
    /// Path relative to the migrations directory, with `/` separators.
    pub path: String,
    pub checksum: String,
}

/// A migration file is a `.cypher` or `.cql` file; `.down.` files undo migrations and are
/// never applied forward, so they are not counted.
pub fn is_migration_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    (lower.ends_with(".cypher") || lower.ends_with(".cql")) && !lower.contains(".down.")
}

/// Lists every migration file under `dir`, sorted by path, with its checksum.
pub fn scan(dir: &Path, algorithm: ChecksumAlgorithm) -> io::Result<Vec<MigrationFile>> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current)? {
            let entry = entry?;
            let path = entry.path();
            let kind = entry.file_type()?;
            if kind.is_dir() {
                pending.push(path);
            } else if is_migration_file(&entry.file_name().to_string_lossy()) {
                let relative = path.strip_prefix(dir).unwrap_or(&path);
                let shown = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
                files.push(MigrationFile { path: shown, checksum: algorithm.digest(&std::fs::read(&path)?) });
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

fn components(path: &str) -> Vec<&str> {
    path.split(['/', '\\']).filter(|c| !c.is_empty() && *c != ".").collect()
}

/// Finds the file a record names, whether the record holds a bare name, a relative path or
/// an absolute one: the file whose path shares the longest tail of components with it.
pub struct FileIndex<'f> {
    files: &'f [MigrationFile],
    by_name: HashMap<&'f str, Vec<usize>>,
}

impl<'f> FileIndex<'f> {
    pub fn new(files: &'f [MigrationFile]) -> Self {
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, file) in files.iter().enumerate() {
            if let Some(name) = components(&file.path).last() {
                by_name.entry(name).or_default().push(i);
            }
        }
        FileIndex { files, by_name }
    }

    /// The index of the file the record names, if any.
    pub fn find(&self, recorded: &str) -> Option<usize> {
        let wanted = components(recorded);
        let candidates = self.by_name.get(wanted.last()?)?;
        candidates.iter().copied().max_by_key(|&i| {
            let have = components(&self.files[i].path);
            let shared = have.iter().rev().zip(wanted.iter().rev()).take_while(|(a, b)| a == b).count();
            // Prefer the longest shared tail; among equals, the shallowest file.
            (shared, usize::MAX - have.len())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str) -> MigrationFile {
        MigrationFile { path: path.into(), checksum: String::new() }
    }

    #[test]
    fn records_find_their_file_by_bare_relative_or_absolute_name() {
        let files = [file("V001__init.up.cypher"), file("2025/V002__users.cypher"), file("other/V002__users.cypher")];
        let index = FileIndex::new(&files);
        assert_eq!(index.find("V001__init.up.cypher"), Some(0));
        assert_eq!(index.find("migrations/V001__init.up.cypher"), Some(0));
        assert_eq!(index.find("/srv/app/migrations/V001__init.up.cypher"), Some(0));
        assert_eq!(index.find("/srv/app/migrations/other/V002__users.cypher"), Some(2));
        assert_eq!(index.find("2025/V002__users.cypher"), Some(1));
        assert_eq!(index.find("V009__missing.cypher"), None);
    }

    #[test]
    fn down_files_and_other_extensions_are_not_migrations() {
        assert!(is_migration_file("V001__init.up.cypher"));
        assert!(is_migration_file("V001__init.CQL"));
        assert!(!is_migration_file("V001__init.down.cypher"));
        assert!(!is_migration_file("README.md"));
    }

    #[test]
    fn sha256_matches_known_vector_and_tolerates_case_and_prefix() {
        let digest = ChecksumAlgorithm::Sha256.digest(b"abc");
        assert_eq!(digest, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert!(ChecksumAlgorithm::Sha256.same(&format!("SHA256:{}", digest.to_uppercase()), &digest));
        assert!(!ChecksumAlgorithm::Sha256.same("deadbeef", &digest));
    }

    #[test]
    fn neo4j_migrations_checksums_cover_statements_not_layout() {
        let algorithm = ChecksumAlgorithm::Neo4jMigrations;
        let spaced = algorithm.digest(b"CREATE (a);\n\n  CREATE (b);\n");
        assert_eq!(spaced, algorithm.digest(b"CREATE (a);\r\nCREATE (b)"));
        assert_eq!(spaced, ChecksumAlgorithm::Crc32.digest(b"CREATE (a)CREATE (b)"));
        assert_ne!(spaced, algorithm.digest(b"CREATE (a);\nCREATE (c);\n"));
    }

    #[test]
    fn crc32_matches_known_vector_in_decimal_hex_and_signed_forms() {
        let digest = ChecksumAlgorithm::Crc32.digest(b"123456789");
        assert_eq!(digest, "3421780262"); // 0xCBF43926
        assert!(ChecksumAlgorithm::Crc32.same("3421780262", &digest));
        assert!(ChecksumAlgorithm::Crc32.same("cbf43926", &digest));
        assert!(ChecksumAlgorithm::Crc32.same("-873187034", &digest));
        assert!(!ChecksumAlgorithm::Crc32.same("12", &digest));
    }
}
