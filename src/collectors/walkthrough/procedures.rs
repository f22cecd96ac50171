// src/collectors/procedures.rs
use std::sync::Arc;
use std::time::Duration;

use crate::collectors::{settings_as, tells_nothing, CollectFuture, Collection, Collector, Context, Spec};
use crate::config::{parse_non_empty, Setting};
use crate::neo4j::{column, Value};
use crate::snapshot::Family;

pub const SPEC: Spec = Spec {
    name: "procedures",
    help: "Installed procedures under a namespace",
    enabled_by_default: false,
    keeps_state: true, // what is installed stays while Neo4j cannot be read
    interval: Duration::from_secs(300),
    timeout: Duration::from_secs(10),
    reports: false,
    enabled_by: None,
    settings: &[Setting {
        flag: "procedures.namespace",
        value_name: "PREFIX",
        default: Some("apoc."),
        help: "Count only the procedures whose name starts with this",
    }],
    tells: tells_nothing,
    configure: |values, _| Ok(Arc::new(values.required("procedures.namespace", parse_non_empty)?)),
    build: |settings| Box::new(Procedures { prefix: settings_as::<String>(settings).clone() }),
};

struct Procedures {
    prefix: String,
}

const COUNT: &str = "SHOW PROCEDURES YIELD name WHERE name STARTS WITH $prefix RETURN count(*) AS n";

impl Collector for Procedures {
    fn collect<'a>(&'a self, cx: &'a Context<'a>) -> CollectFuture<'a> {
        Box::pin(async move {
            let rows = cx.read(COUNT, vec![("prefix", Value::Str(self.prefix.clone()))]).await?;
            let mut count = Family::gauge("neo4j_procedures", "Installed procedures under the namespace.", &[]);
            count.set(rows.first().and_then(|row| column(row, "n").as_f64()).unwrap_or(0.0));
            Ok(Collection { families: vec![count], ..Collection::default() })
        })
    }
}
