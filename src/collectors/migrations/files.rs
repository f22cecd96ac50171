//! The migrations directory the runner applies from: which files it applies, their checksums
//! as the runner computes them, and which record names which file under the runner's own rule.

use std::collections::HashMap;
use std::io;
use std::path::Path;

use globset::{Glob, GlobSet, GlobSetBuilder};
use sha2::{Digest, Sha256};

use super::{ddl, statements};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChecksumAlgorithm {
    /// SHA-256 of the file's bytes, as lower-case hex (Go's `os.ReadFile`, `sha256sum`).
    Sha256,
    /// SHA-256 of the file decoded as UTF-8, each undecodable sequence replaced by U+FFFD the way
    /// the WHATWG decoder does it, and encoded again; line endings and a BOM stay as they are.
    /// What Node's `readFileSync(f, 'utf8')` gives a runner, and Python's `errors='replace'`.
    Sha256Text,
    /// As `Sha256Text`, with `\r\n` and a lone `\r` read as `\n`: Python's text mode.
    Sha256TextLf,
    /// As `Sha256Text`, with Java's decoder (`new String(bytes, UTF_8)`), which replaces an
    /// encoded surrogate (`ED A0..BF ..`) with one U+FFFD where the WHATWG decoder puts one per byte.
    Sha256TextJava,
    /// CRC-32 (IEEE) of the file's bytes; records may hold it in decimal or hex.
    Crc32,
    /// What Neo4j-Migrations records: CRC-32 over the file's statements, each trimmed and
    /// without its closing semicolon, joined with nothing between them.
    Neo4jMigrations,
}

impl ChecksumAlgorithm {
    const ALL: [ChecksumAlgorithm; 6] = [
        ChecksumAlgorithm::Sha256,
        ChecksumAlgorithm::Sha256Text,
        ChecksumAlgorithm::Sha256TextLf,
        ChecksumAlgorithm::Sha256TextJava,
        ChecksumAlgorithm::Crc32,
        ChecksumAlgorithm::Neo4jMigrations,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Sha256 => "sha256",
            ChecksumAlgorithm::Sha256Text => "sha256-text",
            ChecksumAlgorithm::Sha256TextLf => "sha256-text-lf",
            ChecksumAlgorithm::Sha256TextJava => "sha256-text-java",
            ChecksumAlgorithm::Crc32 => "crc32",
            ChecksumAlgorithm::Neo4jMigrations => "neo4j-migrations",
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let wanted = text.trim().to_ascii_lowercase().replace("sha-256", "sha256").replace("crc-32", "crc32");
        ChecksumAlgorithm::ALL.into_iter().find(|a| a.name() == wanted).ok_or_else(|| {
            let names: Vec<&str> = ChecksumAlgorithm::ALL.iter().map(|a| a.name()).collect();
            format!("expected one or more of {}, separated by commas", names.join(", "))
        })
    }

    pub fn digest(self, bytes: &[u8]) -> String {
        match self {
            ChecksumAlgorithm::Sha256 => sha256_hex(bytes),
            ChecksumAlgorithm::Sha256Text => sha256_hex(String::from_utf8_lossy(bytes).as_bytes()),
            ChecksumAlgorithm::Sha256TextLf => sha256_hex(universal_newlines(&String::from_utf8_lossy(bytes)).as_bytes()),
            ChecksumAlgorithm::Sha256TextJava => sha256_hex(java_decoded(bytes).as_bytes()),
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
            ChecksumAlgorithm::Crc32 | ChecksumAlgorithm::Neo4jMigrations => {
                let Ok(value) = computed.parse::<u32>() else { return false };
                recorded == computed
                    || recorded.parse::<i64>().is_ok_and(|n| n == value as i32 as i64)
                    || u32::from_str_radix(recorded.trim_start_matches("0x"), 16).is_ok_and(|n| n == value)
            }
            _ => recorded == computed,
        }
    }
}

/// The algorithms a deployment's records may have been computed with, in order of preference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checksums(Vec<ChecksumAlgorithm>);

impl Checksums {
    /// A comma-separated list such as `sha256,sha256-text`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut algorithms = Vec::new();
        for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let algorithm = ChecksumAlgorithm::parse(name)?;
            if !algorithms.contains(&algorithm) {
                algorithms.push(algorithm);
            }
        }
        if algorithms.is_empty() {
            return Err(ChecksumAlgorithm::parse("").unwrap_err());
        }
        Ok(Checksums(algorithms))
    }

    pub fn only(algorithm: ChecksumAlgorithm) -> Self {
        Checksums(vec![algorithm])
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|a| a.name()).collect()
    }

    fn digests(&self, bytes: &[u8]) -> Vec<(ChecksumAlgorithm, String)> {
        self.0.iter().map(|a| (*a, a.digest(bytes))).collect()
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn universal_newlines(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Java's UTF-8 decoder agrees with the WHATWG one except on encoded surrogates: `ED` followed
/// by `A0`–`BF` (and one more continuation byte, if there is one) is a single U+FFFD to Java.
fn java_decoded(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len());
    let mut start = 0;
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == 0xED && (0xA0..=0xBF).contains(&bytes[i + 1]) {
            text.push_str(&String::from_utf8_lossy(&bytes[start..i]));
            text.push(char::REPLACEMENT_CHARACTER);
            i += if bytes.get(i + 2).is_some_and(|b| (0x80..=0xBF).contains(b)) { 3 } else { 2 };
            start = i;
        } else {
            i += 1;
        }
    }
    text.push_str(&String::from_utf8_lossy(&bytes[start..]));
    text
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
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MigrationFile {
    /// Path relative to the migrations directory, with `/` separators.
    pub path: String,
    /// Its checksum under each algorithm the deployment allows, in that order.
    pub checksums: Vec<(ChecksumAlgorithm, String)>,
    /// Its statements, in the form live queries are matched in.
    pub statements: Vec<String>,
    /// Whether its down twin lies beside it (see [`down_twin`]).
    pub has_down: bool,
    /// The schema its statements create and drop.
    pub schema: Vec<ddl::Change>,
}

impl MigrationFile {
    /// The first allowed algorithm under which `recorded` is this file's checksum.
    pub fn matching(&self, recorded: &str) -> Option<ChecksumAlgorithm> {
        self.checksums.iter().find(|(algorithm, computed)| algorithm.same(recorded, computed)).map(|(algorithm, _)| *algorithm)
    }
}

/// A migration file is a `.cypher` or `.cql` file; `.down.` files undo migrations and are
/// never applied forward, so they are not counted.
pub fn is_migration_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    (lower.ends_with(".cypher") || lower.ends_with(".cql")) && !lower.contains(".down.")
}

/// The file that undoes a migration file, by the runbook's convention: `X.up.cypher` is undone
/// by `X.down.cypher`, and a file without `.up.` (`V001__init.cypher`) by `V001__init.down.cypher`.
pub fn down_twin(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if let Some(at) = lower.rfind(".up.") {
        return format!("{}.down.{}", &name[..at], &name[at + 4..]);
    }
    match name.rfind('.') {
        Some(at) => format!("{}.down{}", &name[..at], &name[at..]),
        None => format!("{name}.down"),
    }
}

/// The files of the directory a deployment applies: globs over paths relative to it.
#[derive(Clone, Debug)]
pub struct Include {
    patterns: Vec<String>,
    set: GlobSet,
}

impl Include {
    /// Comma-separated globs such as `common/**,production/**`; `**` is every file.
    pub fn parse(text: &str) -> Result<Self, String> {
        let patterns: Vec<String> = text.split(',').map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect();
        if patterns.is_empty() {
            return Err("expected one or more globs, separated by commas (** is every file)".into());
        }
        let mut builder = GlobSetBuilder::new();
        for pattern in &patterns {
            let glob = Glob::new(pattern).map_err(|e| format!("{pattern}: {}", e.kind()))?;
            builder.add(glob);
        }
        let set = builder.build().map_err(|e| e.to_string())?;
        Ok(Include { patterns, set })
    }

    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    fn admits(&self, relative: &str) -> bool {
        self.set.is_match(relative)
    }
}

/// Directory levels followed below `--migrations.dir`; deeper ones (or a loop of symbolic
/// links) are not read.
const MAX_DEPTH: usize = 16;

/// Lists every migration file under `dir` that `include` admits, sorted by path, with its
/// checksums. Hidden entries are skipped: a Kubernetes ConfigMap volume keeps its files in a
/// hidden `..<timestamp>/` directory behind a `..data` link and shows each file as a link
/// into it, so reading the hidden ones would count every file twice. Links are followed.
pub fn scan(dir: &Path, checksums: &Checksums, include: &Include) -> io::Result<Vec<MigrationFile>> {
    let mut files = Vec::new();
    let mut pending = vec![(dir.to_path_buf(), 0)];
    while let Some((current, depth)) = pending.pop() {
        let mut names = Vec::new();
        let mut lower = std::collections::HashSet::new();
        for entry in std::fs::read_dir(&current)? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if !name.starts_with('.') {
                lower.insert(name.to_ascii_lowercase());
                names.push(name);
            }
        }
        for name in &names {
            let path = current.join(name);
            if std::fs::metadata(&path)?.is_dir() {
                if depth < MAX_DEPTH {
                    pending.push((path, depth + 1));
                }
            } else if is_migration_file(name) {
                let relative = path.strip_prefix(dir).unwrap_or(&path);
                let shown = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
                if include.admits(&shown) {
                    let bytes = std::fs::read(&path)?;
                    let text = String::from_utf8_lossy(&bytes);
                    files.push(MigrationFile {
                        path: shown,
                        checksums: checksums.digests(&bytes),
                        statements: statements::split(&text),
                        schema: ddl::changes(&statements::split_verbatim(&text)),
                        has_down: lower.contains(&down_twin(name).to_ascii_lowercase()),
                    });
                }
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

fn components(path: &str) -> Vec<&str> {
    path.split(['/', '\\']).filter(|c| !c.is_empty() && *c != ".").collect()
}

/// How a runner tells which file a record is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identity {
    /// The file whose path shares the longest tail of components with the record: bare names,
    /// relative and absolute paths all find their file, wherever the runner ran.
    Tail,
    /// The record holds the path relative to the migrations directory.
    Relative,
    /// The record holds the path as the runner saw it: the directory the runner applies (its
    /// own path of `--migrations.dir`) joined with the path below it. A record written from
    /// another checkout names no file, as it names none for the runner.
    Path { runner_dir: String },
    /// The record holds the file name alone.
    Basename,
}

impl Identity {
    /// `tail`, `relative`, `path` (with the runner's directory) or `basename`.
    pub fn parse(text: &str, runner_dir: &str) -> Result<Self, String> {
        match text.trim() {
            "tail" => Ok(Identity::Tail),
            "relative" => Ok(Identity::Relative),
            "path" => Ok(Identity::Path { runner_dir: components(runner_dir).join("/") }),
            "basename" => Ok(Identity::Basename),
            _ => Err("expected tail, relative, path or basename".into()),
        }
    }

    /// The rule as `status` shows it.
    pub fn describe(&self) -> String {
        match self {
            Identity::Tail => "tail".into(),
            Identity::Relative => "relative".into(),
            Identity::Path { runner_dir } => format!("path under /{runner_dir}"),
            Identity::Basename => "basename".into(),
        }
    }

    /// The key a record must have to name the file at `relative`, for the exact rules.
    fn key(&self, relative: &str) -> Option<String> {
        match self {
            Identity::Relative => Some(components(relative).join("/")),
            Identity::Path { runner_dir } => Some(format!("{runner_dir}/{}", components(relative).join("/"))),
            Identity::Tail | Identity::Basename => None,
        }
    }
}

/// Finds the file a record names under the runner's identity rule.
pub struct FileIndex<'f> {
    files: &'f [MigrationFile],
    identity: &'f Identity,
    by_name: HashMap<&'f str, Vec<usize>>,
    by_key: HashMap<String, usize>,
}

impl<'f> FileIndex<'f> {
    pub fn new(files: &'f [MigrationFile], identity: &'f Identity) -> Self {
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut by_key = HashMap::new();
        for (i, file) in files.iter().enumerate() {
            if let Some(name) = components(&file.path).last() {
                by_name.entry(name).or_default().push(i);
            }
            if let Some(key) = identity.key(&file.path) {
                by_key.insert(key, i);
            }
        }
        FileIndex { files, identity, by_name, by_key }
    }

    /// The index of the file the record names, if any.
    pub fn find(&self, recorded: &str) -> Option<usize> {
        let wanted = components(recorded);
        match self.identity {
            Identity::Relative | Identity::Path { .. } => self.by_key.get(&wanted.join("/")).copied(),
            Identity::Basename if wanted.len() != 1 => None,
            Identity::Tail | Identity::Basename => {
                let candidates = self.by_name.get(wanted.last()?)?;
                candidates.iter().copied().max_by_key(|&i| {
                    let have = components(&self.files[i].path);
                    let shared = have.iter().rev().zip(wanted.iter().rev()).take_while(|(a, b)| a == b).count();
                    // Prefer the longest shared tail; among equals, the shallowest file.
                    (shared, usize::MAX - have.len())
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str) -> MigrationFile {
        MigrationFile { path: path.into(), ..MigrationFile::default() }
    }

    #[test]
    fn records_find_their_file_by_bare_relative_or_absolute_name() {
        let files = [file("V001__init.up.cypher"), file("2025/V002__users.cypher"), file("other/V002__users.cypher")];
        let index = FileIndex::new(&files, &Identity::Tail);
        assert_eq!(index.find("V001__init.up.cypher"), Some(0));
        assert_eq!(index.find("migrations/V001__init.up.cypher"), Some(0));
        assert_eq!(index.find("/srv/app/migrations/V001__init.up.cypher"), Some(0));
        assert_eq!(index.find("/srv/app/migrations/other/V002__users.cypher"), Some(2));
        assert_eq!(index.find("2025/V002__users.cypher"), Some(1));
        assert_eq!(index.find("V009__missing.cypher"), None);
    }

    #[test]
    fn the_path_rule_names_only_files_under_the_runners_directory() {
        let files = [file("common/V1__a.cypher"), file("production/V2__b.cypher")];
        let identity = Identity::parse("path", "/srv/releases/v2/migrations/").unwrap();
        let index = FileIndex::new(&files, &identity);
        assert_eq!(index.find("/srv/releases/v2/migrations/common/V1__a.cypher"), Some(0));
        assert_eq!(index.find("/srv/releases/v2/./migrations//production/V2__b.cypher"), Some(1));
        // Written from the previous release's checkout: the runner would apply it again.
        assert_eq!(index.find("/srv/releases/v1/migrations/common/V1__a.cypher"), None);
        assert_eq!(index.find("common/V1__a.cypher"), None);
    }

    #[test]
    fn relative_and_basename_rules_are_exact() {
        let files = [file("common/V1__a.cypher")];
        let relative = Identity::parse("relative", "").unwrap();
        assert_eq!(FileIndex::new(&files, &relative).find("common/V1__a.cypher"), Some(0));
        assert_eq!(FileIndex::new(&files, &relative).find("V1__a.cypher"), None);
        let basename = Identity::parse("basename", "").unwrap();
        assert_eq!(FileIndex::new(&files, &basename).find("V1__a.cypher"), Some(0));
        assert_eq!(FileIndex::new(&files, &basename).find("other/V1__a.cypher"), None);
    }

    #[test]
    fn a_configmap_volume_shows_each_file_once() {
        // The layout the kubelet writes for a ConfigMap volume.
        let dir = std::env::temp_dir().join(format!("configmap-{}-{}", std::process::id(), line!()));
        let data = dir.join("..2026_12_02_10_00_00.123456789");
        std::fs::create_dir_all(&data).unwrap();
        for name in ["V1__a.cypher", "V2__b.cypher"] {
            std::fs::write(data.join(name), "RETURN 1;\n").unwrap();
            std::os::unix::fs::symlink(format!("..data/{name}"), dir.join(name)).unwrap();
        }
        std::os::unix::fs::symlink("..2026_12_02_10_00_00.123456789", dir.join("..data")).unwrap();
        let files = scan(&dir, &Checksums::only(ChecksumAlgorithm::Sha256), &Include::parse("**").unwrap()).unwrap();
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["V1__a.cypher", "V2__b.cypher"]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_down_twin_follows_the_up_name_or_sits_beside_the_file() {
        assert_eq!(down_twin("V002__email.up.cypher"), "V002__email.down.cypher");
        assert_eq!(down_twin("V002__email.UP.cql"), "V002__email.down.cql");
        assert_eq!(down_twin("V001__init.cypher"), "V001__init.down.cypher");
    }

    #[test]
    fn down_files_and_other_extensions_are_not_migrations() {
        assert!(is_migration_file("V001__init.up.cypher"));
        assert!(is_migration_file("V001__init.CQL"));
        assert!(!is_migration_file("V001__init.down.cypher"));
        assert!(!is_migration_file("README.md"));
    }

    #[test]
    fn include_globs_choose_the_folders_a_deployment_applies() {
        let include = Include::parse("common/**, production/**").unwrap();
        assert!(include.admits("common/V1.cypher"));
        assert!(include.admits("production/2025/V2.cypher"));
        assert!(!include.admits("dev/V3.cypher"));
        assert!(!include.admits("V0.cypher"));
        assert!(Include::parse("**").unwrap().admits("V0.cypher"));
        assert!(Include::parse(" , ").is_err());
        assert!(Include::parse("common/[").is_err());
    }

    #[test]
    fn sha256_matches_known_vector_and_tolerates_case_and_prefix() {
        let digest = ChecksumAlgorithm::Sha256.digest(b"abc");
        assert_eq!(digest, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert!(ChecksumAlgorithm::Sha256.same(&format!("SHA256:{}", digest.to_uppercase()), &digest));
        assert!(!ChecksumAlgorithm::Sha256.same("deadbeef", &digest));
    }

    #[test]
    fn text_checksums_differ_from_bytes_only_where_the_text_does() {
        let plain = b"RETURN 1;\n";
        let text = ChecksumAlgorithm::Sha256Text.digest(plain);
        assert_eq!(text, ChecksumAlgorithm::Sha256.digest(plain));
        assert_eq!(text, ChecksumAlgorithm::Sha256TextLf.digest(b"RETURN 1;\r\n"));
        assert_ne!(text, ChecksumAlgorithm::Sha256Text.digest(b"RETURN 1;\r\n"));
        // A Latin-1 byte becomes U+FFFD.
        assert_eq!(ChecksumAlgorithm::Sha256Text.digest(b"caf\xe9"), ChecksumAlgorithm::Sha256.digest("caf\u{fffd}".as_bytes()));
        // Java reads an encoded surrogate as one replacement, the WHATWG decoder as three.
        assert_eq!(java_decoded(b"a\xed\xa0\x80b"), "a\u{fffd}b");
        assert_eq!(String::from_utf8_lossy(b"a\xed\xa0\x80b"), "a\u{fffd}\u{fffd}\u{fffd}b");
        assert_eq!(java_decoded(b"a\xed\xa0b\xed"), "a\u{fffd}b\u{fffd}");
        assert_eq!(java_decoded(b"caf\xc3\xa9 \xe9"), "caf\u{e9} \u{fffd}");
    }

    #[test]
    fn a_list_of_algorithms_reports_the_one_that_matched() {
        let checksums = Checksums::parse("sha256, sha256-text ,sha256").unwrap();
        assert_eq!(checksums.names(), ["sha256", "sha256-text"]);
        let latin1 = MigrationFile {
            path: "V1.cypher".into(),
            checksums: checksums.digests(b"// caf\xe9\nRETURN 1;\n"),
            ..MigrationFile::default()
        };
        let as_node_hashes = ChecksumAlgorithm::Sha256Text.digest(b"// caf\xe9\nRETURN 1;\n");
        assert_eq!(latin1.matching(&as_node_hashes), Some(ChecksumAlgorithm::Sha256Text));
        assert_eq!(latin1.matching(&ChecksumAlgorithm::Sha256.digest(b"// caf\xe9\nRETURN 1;\n")), Some(ChecksumAlgorithm::Sha256));
        assert_eq!(latin1.matching("0000"), None);
        assert!(Checksums::parse("md5").unwrap_err().contains("sha256-text-lf"));
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
