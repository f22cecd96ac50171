//! The standard `process_*` metrics of the exporter itself, read from /proc on Linux.
//! Elsewhere these families are simply empty.

use crate::snapshot::Family;

/// Linux reports CPU times in clock ticks of 1/100 s on every mainstream architecture.
const TICKS_PER_SECOND: f64 = 100.0;

pub fn families() -> Vec<Family> {
    let mut cpu = Family::counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", &[]);
    let mut resident = Family::gauge("process_resident_memory_bytes", "Resident memory size in bytes.", &[]);
    let mut virtual_memory = Family::gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", &[]);
    let mut open_fds = Family::gauge("process_open_fds", "Number of open file descriptors.", &[]);
    let mut max_fds = Family::gauge("process_max_fds", "Maximum number of open file descriptors.", &[]);
    let mut start = Family::gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", &[]);
    if let Some(stat) = read_stat() {
        cpu.set(stat.cpu_ticks as f64 / TICKS_PER_SECOND);
        virtual_memory.set(stat.virtual_bytes as f64);
        if let Some(boot) = boot_time() {
            start.set(boot + stat.start_ticks as f64 / TICKS_PER_SECOND);
        }
    }
    if let Some(kib) = status_kib("VmRSS:") {
        resident.set(kib * 1024.0);
    }
    if let Ok(entries) = std::fs::read_dir("/proc/self/fd") {
        open_fds.set(entries.count() as f64);
    }
    if let Some(limit) = max_open_files() {
        max_fds.set(limit);
    }
    vec![cpu, resident, virtual_memory, open_fds, max_fds, start]
}

struct Stat {
    cpu_ticks: u64,
    start_ticks: u64,
    virtual_bytes: u64,
}

fn read_stat() -> Option<Stat> {
    let text = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name may hold spaces; fields are counted from the closing parenthesis.
    let after_name = &text[text.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let field = |n: usize| fields.get(n - 3).and_then(|f| f.parse::<u64>().ok());
    Some(Stat { cpu_ticks: field(14)? + field(15)?, start_ticks: field(22)?, virtual_bytes: field(23)? })
}

fn status_kib(key: &str) -> Option<f64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with(key))?;
    line[key.len()..].split_whitespace().next()?.parse().ok()
}

fn boot_time() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/stat").ok()?;
    text.lines().find_map(|l| l.strip_prefix("btime "))?.trim().parse().ok()
}

fn max_open_files() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(target_os = "linux")]
    fn reads_its_own_memory_and_cpu_on_linux() {
        let families = super::families();
        for name in ["process_cpu_seconds_total", "process_resident_memory_bytes", "process_start_time_seconds"] {
            let family = families.iter().find(|f| f.name == name).unwrap();
            assert_eq!(family.samples.len(), 1, "{name}");
        }
    }
}
