//! Filesystem notifications for follow mode: a change to the files behind a local source sends
//! one message; the poll it starts reads what changed. Bursts are coalesced: nothing more is sent
//! until the runtime has started the next poll ([`Watch::rearm`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind};
use notify::{RecursiveMode, Watcher};

/// How long a burst of writes may take before the poll it triggers runs.
pub const SETTLE: std::time::Duration = std::time::Duration::from_millis(150);

/// What a local source asks to be watched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchTarget {
    pub path: PathBuf,
    pub recursive: bool,
    /// Only files whose name starts with this count (a sqlite database and its journal).
    pub name_prefix: Option<String>,
    /// Files whose name ends with one of these never count (sqlite's `-shm`, which readers
    /// write too: our own reads must not wake us).
    pub ignore_suffixes: Vec<&'static str>,
}

impl WatchTarget {
    fn counts(&self, path: &Path) -> bool {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        if self.ignore_suffixes.iter().any(|s| name.ends_with(s)) {
            return false;
        }
        self.name_prefix
            .as_deref()
            .is_none_or(|p| name.starts_with(p))
    }
}

/// Changes that mean new data (reads, opens and attribute changes do not).
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Modify(_) => true,
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        _ => false,
    }
}

/// A running watcher; dropping it stops the notifications.
pub struct Watch {
    _watcher: notify::RecommendedWatcher,
    armed: Arc<AtomicBool>,
}

impl Watch {
    /// Starts watching; `on_change` runs (on the watcher's thread) once per burst of changes.
    pub fn start(
        target: &WatchTarget,
        on_change: impl Fn() + Send + 'static,
    ) -> Result<Watch, String> {
        let armed = Arc::new(AtomicBool::new(true));
        let a = Arc::clone(&armed);
        let t = target.clone();
        let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            let Ok(ev) = res else { return };
            if is_change(&ev.kind)
                && ev.paths.iter().any(|p| t.counts(p))
                && a.swap(false, Ordering::SeqCst)
            {
                // let the writer finish its burst (a trace is several writes: its spans,
                // then its root): the poll then reads whole traces, not half-written ones
                std::thread::sleep(SETTLE);
                on_change();
            }
        })
        .map_err(|e| e.to_string())?;
        let mode = if target.recursive {
            RecursiveMode::Recursive
        } else {
            RecursiveMode::NonRecursive
        };
        watcher
            .watch(&target.path, mode)
            .map_err(|e| format!("{}: {e}", target.path.display()))?;
        Ok(Watch {
            _watcher: watcher,
            armed,
        })
    }

    /// Lets the next change send a message again (called as a poll starts).
    pub fn rearm(&self) {
        self.armed.store(true, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, DataChange};

    #[test]
    fn only_writes_to_the_watched_files_count() {
        let t = WatchTarget {
            path: PathBuf::from("/x"),
            recursive: false,
            name_prefix: Some("mlflow.db".into()),
            ignore_suffixes: vec!["-shm"],
        };
        assert!(t.counts(Path::new("/x/mlflow.db")));
        assert!(t.counts(Path::new("/x/mlflow.db-wal")));
        assert!(!t.counts(Path::new("/x/mlflow.db-shm")));
        assert!(!t.counts(Path::new("/x/app.log")));
        assert!(is_change(&EventKind::Create(CreateKind::File)));
        assert!(is_change(&EventKind::Modify(ModifyKind::Data(
            DataChange::Content
        ))));
        assert!(!is_change(&EventKind::Access(AccessKind::Read)));
        assert!(!is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(!is_change(&EventKind::Modify(ModifyKind::Metadata(
            notify::event::MetadataKind::AccessTime
        ))));
    }
}
