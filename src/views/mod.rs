//! How people see what the collectors found. Each collector's run yields its part of the
//! report, which knows how to show itself: in `status --output json`, in the `status` table,
//! on the status page and to the `check` gate. This module puts the parts together; the
//! metrics are the other view, drawn from the same run.

use std::fmt;
use std::sync::Arc;

use serde::ser::{Serialize, SerializeMap, Serializer};

pub mod check;
pub mod checklist;
pub mod page;
pub mod strip;
pub mod terminal;
pub mod text;

use check::{CheckOptions, Condition};
use terminal::Terminal;

/// One collector's findings, as people see them.
pub trait Part: Send + Sync + fmt::Debug {
    /// Its key in `status --output json`.
    fn key(&self) -> &'static str;
    /// Its value in `status --output json`.
    fn json(&self) -> serde_json::Value;
    /// Its section of the `status` table.
    fn terminal(&self, out: &mut Terminal);
    /// Its section of the status page.
    fn page(&self, html: &mut String);
    /// What it shows above every section of the `status` table, if anything (a run under way).
    fn terminal_top(&self, out: &mut Terminal) {
        let _ = out;
    }
    /// The same at the top of the status page.
    fn page_top(&self, html: &mut String) {
        let _ = html;
    }
    /// A line per finding that meets `condition`; none for a condition it has nothing to do with.
    fn problems(&self, condition: Condition, options: &CheckOptions) -> Vec<String> {
        let _ = (condition, options);
        Vec::new()
    }
    /// What it puts on the status page's "Last 24 h" strip (migration records), if anything.
    fn marks(&self) -> Vec<strip::Mark> {
        Vec::new()
    }
    /// Its answers to the pre-migration checklist; none for an item it knows nothing of.
    fn checklist(&self) -> Vec<checklist::Item> {
        Vec::new()
    }
}

/// What the collectors last saw, for `status`, `check` and the status page. Built from the
/// same runs that feed Prometheus, so none of them costs Neo4j an extra query.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Seconds since the Unix epoch when the report was put together.
    pub generated_at: f64,
    pub neo4j_up: bool,
    pub server: Option<Server>,
    /// The collectors' parts, in registry order.
    pub parts: Vec<Arc<dyn Part>>,
    pub collectors: Vec<CollectorState>,
    /// When the daemon found Neo4j unreachable over the last day (the page's strip).
    pub outages: Vec<strip::Outage>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Server {
    pub version: String,
    pub edition: String,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct CollectorState {
    pub name: String,
    pub success: bool,
    pub last_success: Option<f64>,
}

impl Serialize for Report {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("generated_at", &self.generated_at)?;
        map.serialize_entry("neo4j_up", &self.neo4j_up)?;
        map.serialize_entry("server", &self.server)?;
        for part in &self.parts {
            map.serialize_entry(part.key(), &part.json())?;
        }
        map.serialize_entry("collectors", &self.collectors)?;
        map.end()
    }
}
