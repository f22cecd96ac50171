//! The standard `process_*` metrics of the exporter itself, from the prometheus crate's
//! process collector (which reads /proc with the system's own tick rate and page size).
//! Elsewhere than Linux there are none.

use crate::snapshot::Format;

/// Appends the process metrics in the given format; in OpenMetrics, the CPU counter's
/// `_created` is the process's start.
#[cfg(target_os = "linux")]
pub fn render(format: Format, out: &mut Vec<u8>) {
    use prometheus::core::Collector;
    use prometheus::Encoder;
    use std::sync::LazyLock;

    static PROCESS: LazyLock<prometheus::process_collector::ProcessCollector> =
        LazyLock::new(prometheus::process_collector::ProcessCollector::for_self);
    let families = PROCESS.collect();
    match format {
        // Every family the collector returns holds its one sample, so encoding cannot fail.
        Format::Text => drop(prometheus::TextEncoder::new().encode(&families, out)),
        Format::OpenMetrics => {
            let started = families
                .iter()
                .find(|family| family.name() == "process_start_time_seconds")
                .and_then(|family| family.get_metric().first())
                .map(|metric| metric.get_gauge().get_value());
            crate::snapshot::encode_openmetrics(&families, started, out);
        }
    }
}

#[cfg(not(target_os = "linux"))]
pub fn render(_format: Format, _out: &mut Vec<u8>) {}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(target_os = "linux")]
    fn reads_its_own_memory_cpu_and_start_time() {
        let mut out = Vec::new();
        super::render(super::Format::Text, &mut out);
        let text = String::from_utf8(out).unwrap();
        let value = |name: &str| -> f64 {
            let line = text.lines().find(|l| l.starts_with(&format!("{name} "))).unwrap_or_else(|| panic!("{name} in {text}"));
            line.rsplit(' ').next().unwrap().parse().unwrap()
        };
        assert!(value("process_resident_memory_bytes") > 1e6, "{text}");
        assert!(value("process_open_fds") >= 3.0, "{text}");
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64();
        let started = value("process_start_time_seconds");
        assert!(started <= now && started > now - 3600.0, "started {started}, now {now}");
        assert!(value("process_cpu_seconds_total") >= 0.0);
    }
}
