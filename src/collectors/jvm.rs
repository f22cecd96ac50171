//! The `jvm` collector: Neo4j's heap, garbage collection and CPU, read through
//! `dbms.queryJmx` from the `java.lang` beans (present in Community too).

use std::sync::Arc;
use std::time::Duration;

use crate::collectors::{tells_nothing, CollectFuture, Collection, Collector, Context, Spec};
use crate::neo4j::{column, Record, Value};
use crate::snapshot::Family;

pub const SPEC: Spec = Spec {
    name: "jvm",
    help: "Neo4j's heap, garbage collection and CPU, from JMX",
    keeps_state: false,
    enabled_by_default: true,
    interval: Duration::from_secs(15),
    timeout: Duration::from_secs(5),
    reports: false,
    enabled_by: None,
    settings: &[],
    tells: tells_nothing,
    configure: |_, _| Ok(Arc::new(())),
    build: |_| Box::new(Jvm),
};

const MEMORY: &str = "CALL dbms.queryJmx('java.lang:type=Memory') YIELD attributes \
                      RETURN attributes.HeapMemoryUsage.value.properties AS heap, \
                      attributes.NonHeapMemoryUsage.value.properties AS nonheap";
const COLLECTORS: &str = "CALL dbms.queryJmx('java.lang:type=GarbageCollector,*') YIELD name, attributes \
                          RETURN name, attributes.CollectionCount.value AS count, attributes.CollectionTime.value AS millis";
const PROCESS: &str = "CALL dbms.queryJmx('java.lang:type=OperatingSystem') YIELD attributes AS os \
                       CALL dbms.queryJmx('java.lang:type=Threading') YIELD attributes AS threading \
                       RETURN os.ProcessCpuLoad.value AS cpu, threading.ThreadCount.value AS threads";

struct Jvm;

impl Collector for Jvm {
    fn collect<'a>(&'a self, cx: &'a Context<'a>) -> CollectFuture<'a> {
        Box::pin(async move {
            let memory = cx.read(MEMORY, Vec::new()).await?;
            let collectors = cx.read(COLLECTORS, Vec::new()).await?;
            let process = cx.read(PROCESS, Vec::new()).await?;
            Ok(Collection { families: summarize(&memory, &collectors, &process), ..Collection::default() })
        })
    }
}

/// The collector name from a bean name such as `java.lang:name=G1 Young Generation,type=GarbageCollector`.
fn collector_name(bean: &str) -> &str {
    bean.split([':', ',']).find_map(|part| part.strip_prefix("name=")).unwrap_or(bean)
}

pub fn summarize(memory: &[Record], collectors: &[Record], process: &[Record]) -> Vec<Family> {
    let mut used = Family::gauge("neo4j_jvm_memory_used_bytes", "JVM memory in use, by area (heap or nonheap).", &["area"]);
    let mut committed =
        Family::gauge("neo4j_jvm_memory_committed_bytes", "JVM memory committed by the operating system, by area.", &["area"]);
    let mut max = Family::gauge("neo4j_jvm_memory_max_bytes", "Most JVM memory the area may use, where it has a limit.", &["area"]);
    for row in memory {
        for area in ["heap", "nonheap"] {
            let Value::Map(usage) = column(row, area) else { continue };
            // The JVM reports -1 for a figure it does not know (`max` of an area without a limit).
            let figure = |key: &str| usage.get(key).and_then(Value::as_f64).filter(|v| *v >= 0.0);
            if let Some(v) = figure("used") {
                used.add([area], v);
            }
            if let Some(v) = figure("committed") {
                committed.add([area], v);
            }
            if let Some(v) = figure("max") {
                max.add([area], v);
            }
        }
    }

    let mut collections =
        Family::counter("neo4j_jvm_gc_collections_total", "Garbage collections since Neo4j started, by collector.", &["gc"]);
    let mut collection_seconds = Family::counter(
        "neo4j_jvm_gc_collection_seconds_total",
        "Time spent in garbage collection since Neo4j started, by collector.",
        &["gc"],
    );
    for row in collectors {
        let Some(bean) = column(row, "name").as_str() else { continue };
        let gc = collector_name(bean);
        // A collector that does not count reports -1, which no counter may show.
        if let Some(count) = column(row, "count").as_f64().filter(|v| *v >= 0.0) {
            collections.add([gc], count);
        }
        if let Some(millis) = column(row, "millis").as_f64().filter(|v| *v >= 0.0) {
            collection_seconds.add([gc], millis / 1000.0);
        }
    }

    let mut cpu = Family::gauge("neo4j_jvm_process_cpu_ratio", "CPU used by the Neo4j process, as a share of all cores (0 to 1).", &[]);
    let mut threads = Family::gauge("neo4j_jvm_threads", "Live threads in the Neo4j JVM.", &[]);
    for row in process {
        // A negative load means the JVM could not measure it yet.
        if let Some(load) = column(row, "cpu").as_f64().filter(|v| (0.0..=1.0).contains(v)) {
            cpu.set(load);
        }
        if let Some(n) = column(row, "threads").as_f64().filter(|v| *v >= 0.0) {
            threads.set(n);
        }
    }
    vec![used, committed, max, collections, collection_seconds, cpu, threads]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn record(pairs: Vec<(&str, Value)>) -> Record {
        pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    }

    fn usage(used: i64, committed: i64, max: i64) -> Value {
        Value::Map(BTreeMap::from([
            ("used".to_string(), Value::Int(used)),
            ("committed".to_string(), Value::Int(committed)),
            ("max".to_string(), Value::Int(max)),
            ("init".to_string(), Value::Int(1)),
        ]))
    }

    #[test]
    fn heap_gc_and_cpu_come_out_in_base_units() {
        let memory = [record(vec![("heap", usage(100, 200, 800)), ("nonheap", usage(10, 20, -1))])];
        let gcs = [record(vec![
            ("name", Value::Str("java.lang:name=G1 Young Generation,type=GarbageCollector".into())),
            ("count", Value::Int(9)),
            ("millis", Value::Int(213)),
        ])];
        let process = [record(vec![("cpu", Value::Float(0.25)), ("threads", Value::Int(40))])];
        let families = summarize(&memory, &gcs, &process);
        let mut text = Vec::new();
        crate::snapshot::render(&families, &mut text);
        let text = String::from_utf8(text).unwrap();
        for line in [
            "neo4j_jvm_memory_used_bytes{area=\"heap\"} 100",
            "neo4j_jvm_memory_max_bytes{area=\"heap\"} 800",
            "neo4j_jvm_gc_collections_total{gc=\"G1 Young Generation\"} 9",
            "neo4j_jvm_gc_collection_seconds_total{gc=\"G1 Young Generation\"} 0.213",
            "neo4j_jvm_process_cpu_ratio 0.25",
            "neo4j_jvm_threads 40",
        ] {
            assert!(text.contains(line), "missing {line}:\n{text}");
        }
        assert!(!text.contains("neo4j_jvm_memory_max_bytes{area=\"nonheap\"}"), "no limit, no sample");
    }

    #[test]
    fn figures_the_jvm_does_not_know_are_left_out_not_exported_negative() {
        let gcs = [record(vec![("name", Value::Str("name=Odd".into())), ("count", Value::Int(-1)), ("millis", Value::Int(-1))])];
        let families = summarize(&[record(vec![("heap", usage(-1, -1, -1))])], &gcs, &[]);
        assert!(families.iter().all(|f| f.samples.is_empty()), "{families:?}");
    }

    #[test]
    fn an_unmeasured_cpu_load_is_left_out() {
        let families = summarize(&[], &[], &[record(vec![("cpu", Value::Float(-1.0))])]);
        assert!(families.iter().find(|f| f.name == "neo4j_jvm_process_cpu_ratio").unwrap().samples.is_empty());
    }
}
