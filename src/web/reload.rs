//! The web configuration in force, read again when the file or a certificate, key or CA file
//! it names changes, and on SIGHUP, so rotated certificates and new users need no restart. A
//! file that no longer loads leaves the last good configuration in force, with a warning.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime};

use super::{load_with_files, WebConfigError, WebSecurity};

/// How often the files are looked at (a `stat` each) when connections come in.
const LOOK_EVERY: Duration = Duration::from_secs(1);

/// A file as last seen: when it was modified and how long it was, or absent.
type Stamp = (PathBuf, Option<(SystemTime, u64)>);

pub struct WebConfigSource {
    path: Option<PathBuf>,
    current: RwLock<Arc<WebSecurity>>,
    seen: Mutex<Seen>,
}

struct Seen {
    looked_at: Instant,
    stamps: Vec<Stamp>,
}

fn stamps(files: &[PathBuf]) -> Vec<Stamp> {
    files
        .iter()
        .map(|file| {
            let meta = std::fs::metadata(file).ok();
            (file.clone(), meta.and_then(|m| Some((m.modified().ok()?, m.len()))))
        })
        .collect()
}

impl WebConfigSource {
    /// The configuration at start: a mistake here stops the start.
    pub fn load(path: Option<&Path>) -> Result<Self, WebConfigError> {
        let (security, files) = match path {
            Some(path) => load_with_files(path)?,
            None => (WebSecurity::default(), Vec::new()),
        };
        Ok(WebConfigSource {
            path: path.map(Path::to_path_buf),
            current: RwLock::new(Arc::new(security)),
            seen: Mutex::new(Seen { looked_at: Instant::now(), stamps: stamps(&files) }),
        })
    }

    /// What a new connection is served with; the files are looked at first if a second has
    /// passed since the last look.
    pub fn current(&self) -> Arc<WebSecurity> {
        let changed = {
            let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
            if seen.looked_at.elapsed() >= LOOK_EVERY {
                seen.looked_at = Instant::now();
                let files: Vec<PathBuf> = seen.stamps.iter().map(|(file, _)| file.clone()).collect();
                stamps(&files) != seen.stamps
            } else {
                false
            }
        };
        if changed {
            self.reload("a file of it changed");
        }
        self.current.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Reads the file again now. On a mistake the configuration in force stays, and the
    /// warning names it; the next look tries again only after the files change once more.
    pub fn reload(&self, why: &str) {
        let Some(path) = &self.path else { return };
        match load_with_files(path) {
            Ok((security, files)) => {
                tracing::info!(file = %path.display(), tls = security.uses_tls(), basic_auth = security.uses_basic_auth(), why, "web config file loaded again");
                *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(security);
                self.seen.lock().unwrap_or_else(PoisonError::into_inner).stamps = stamps(&files);
            }
            Err(error) => {
                tracing::warn!(%error, why, "web config file not loaded again; the previous one stays in force");
                let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
                let files: Vec<PathBuf> = seen.stamps.iter().map(|(file, _)| file.clone()).collect();
                seen.stamps = stamps(&files);
            }
        }
    }
}
