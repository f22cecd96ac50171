//! Prometheus, Alertmanager and other servers the tests start, stopped when the test ends.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::http_get;

/// A server process stopped when the test ends.
pub struct Service {
    pub child: Child,
    name: &'static str,
    pub port: u16,
    log: PathBuf,
}

impl Service {
    pub fn start(name: &'static str, program: &str, args: &[String], port: u16, dir: &Path) -> Service {
        let log = dir.join(format!("{name}.log"));
        let child = Command::new(program)
            .args(args)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("{program} is needed (apt-get install prometheus prometheus-alertmanager): {e}"));
        let service = Service { child, name, port, log };
        let deadline = Instant::now() + Duration::from_secs(30);
        while http_get(port, "/-/ready").map_or(0, |(status, _)| status) != 200 {
            assert!(Instant::now() < deadline, "{name} did not become ready:\n{}", service.logs());
            std::thread::sleep(Duration::from_millis(100));
        }
        service
    }

    /// A real Prometheus (Debian's) with `config` as its configuration file, in `dir`.
    pub fn prometheus(dir: &Path, config: &str) -> Service {
        std::fs::create_dir_all(dir).unwrap();
        let file = dir.join("prometheus.yml");
        std::fs::write(&file, config).unwrap();
        let port = super::free_port();
        Service::start(
            "prometheus",
            "prometheus",
            &[
                format!("--config.file={}", file.display()),
                format!("--storage.tsdb.path={}", dir.join("prom-data").display()),
                format!("--web.listen-address=127.0.0.1:{port}"),
            ],
            port,
            dir,
        )
    }

    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- {} log ---\n{}", self.name, self.logs());
        }
    }
}
