//! testkit starts every pinned Neo4j line, and the exporter reads each one's identity from
//! `dbms.components()`.

mod common;

use std::time::Duration;

use common::{Exporter, Neo4jServer};

fn pinned_exact_version(alias: &str) -> String {
    let pins = std::fs::read_to_string(common::repo_root().join("testkit/neo4j/versions.env")).unwrap();
    pins.lines()
        .map(str::split_whitespace)
        .filter_map(|mut fields| Some((fields.next()?, fields.next()?)))
        .find(|(name, _)| *name == alias)
        .map(|(_, exact)| exact.to_string())
        .unwrap_or_else(|| panic!("{alias} is not pinned"))
}

fn starts_and_reports(alias: &str) {
    let server = Neo4jServer::start(alias);
    let exact = pinned_exact_version(alias);
    assert_eq!(server.version(), exact);

    // Straight from the server, over Bolt.
    let rows = server.read_ints(
        &format!(
            "CALL dbms.components() YIELD name, versions WHERE name = 'Neo4j Kernel' AND versions[0] = '{exact}' RETURN count(*) AS n"
        ),
        "n",
    );
    assert_eq!(rows, vec![1], "dbms.components() does not report {exact}");

    // And as the exporter reports it.
    let exporter = Exporter::start(&server.uri(), &[]);
    let scrape = exporter.scrape_until(Duration::from_secs(20), "neo4j_up 1", |s| s.value("neo4j_up", &[]) == Some(1.0));
    assert_eq!(scrape.value("neo4j_server_info", &[("version", &exact)]), Some(1.0), "{}", scrape.0);
    eprintln!("testkit Neo4j {alias} = {exact}: Bolt login, dbms.components() and neo4j_server_info agree");
}

#[test]
fn neo4j_4_4_starts() {
    starts_and_reports("4.4");
}

#[test]
fn neo4j_5_26_starts() {
    starts_and_reports("5.26");
}

#[test]
fn neo4j_latest_starts() {
    starts_and_reports("latest");
}
