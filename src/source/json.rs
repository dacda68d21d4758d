//! Exported trace JSON: one file (`Trace.to_json()`, an array or `{"traces": […]}` listing,
//! JSON Lines, or a bare `traces.json` artifact), or a folder of such files (searched
//! recursively). Opening reads every file once to index the traces; spans are parsed again
//! from their file when a trace is opened, so memory holds summaries, not every span.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::{
    Experiment, ListQuery, LocalStore, SourceError, TracePage, io_reason, page_of, wanted,
};
use crate::model::parse::{
    Located, index_traces_file, parse_trace, parse_trace_streamed, parse_traces_file, quick_summary,
};
use crate::model::{Trace, TraceInfo};

/// File names that may hold traces.
pub fn is_trace_file_name(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("json" | "jsonl" | "ndjson")
    )
}

#[derive(Debug, Clone)]
struct Entry {
    info: TraceInfo,
    file: PathBuf,
    /// Position among the traces of its file.
    index: usize,
    /// Where its text is in the file: opening it reads and parses those bytes alone. `None`
    /// for a file that is not valid UTF-8 (its text is the lossy reading of all of it).
    range: Option<std::ops::Range<usize>>,
    /// The only trace of its file (a one-trace file is listed from its head, so its text is
    /// first read whole when opened: a parse error then is the file's, not a change).
    whole: bool,
}

/// A file's identity for change detection: modification time and length.
type Stamp = (Option<std::time::SystemTime>, u64);

fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok(), m.len()))
}

#[derive(Default)]
struct Index {
    entries: Vec<Entry>,
    by_id: HashMap<String, usize>,
    /// Every file read, with its stamp then; a changed stamp means read it again.
    files: HashMap<PathBuf, Stamp>,
    /// Problems per file (a file that parses again loses its warning).
    warnings: std::collections::BTreeMap<PathBuf, Vec<String>>,
    /// A source that is one file keeps the text it read to list a one-trace file, until the
    /// trace is first opened: one read of the file for both.
    keep_text: bool,
    kept: Option<Kept>,
}

/// The text of a one-trace file, as read when it was indexed.
struct Kept {
    file: PathBuf,
    stamp: Option<Stamp>,
    text: String,
}

pub struct JsonStore {
    root: PathBuf,
    single: bool,
    index: Mutex<Index>,
}

fn collect_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            // skip hidden folders and files (.git, editor swap files)
            if e.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(p),
                Ok(t) if t.is_file() && is_trace_file_name(&p) => files.push(p),
                _ => {}
            }
        }
    }
    files.sort();
    files
}

/// A file's text, and the warning when it is not valid UTF-8 (bad bytes become U+FFFD).
fn read_text(path: &Path) -> Result<(String, bool, Vec<String>), SourceError> {
    let bytes = std::fs::read(path).map_err(|e| SourceError::bad_file(path, io_reason(&e)))?;
    let (text, bad) = text_of(bytes, 0);
    let exact = bad.is_none();
    Ok((text, exact, bad.into_iter().collect()))
}

/// Bytes as text: a file is bytes, so what it holds is shown with bad bytes replaced, and a
/// warning says so (`offset`: where the bytes start in their file).
fn text_of(bytes: Vec<u8>, offset: usize) -> (String, Option<String>) {
    match String::from_utf8(bytes) {
        Ok(t) => (t, None),
        Err(e) => {
            let at = offset + e.utf8_error().valid_up_to();
            (
                String::from_utf8_lossy(e.as_bytes()).into_owned(),
                Some(format!(
                    "not valid UTF-8 (first bad byte at offset {at}); bad bytes are shown as U+FFFD"
                )),
            )
        }
    }
}

/// How much of a file is read to find the `info` of a one-trace file.
const HEAD_BYTES: usize = 256 * 1024;

/// Where a one-trace file's object starts: after a byte-order mark and white space, at `{`.
/// `None` when the text does not start an object.
fn object_start(text: &str) -> Option<usize> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    trimmed.starts_with('{').then(|| text.len() - trimmed.len())
}

/// JSON Lines has a line that starts an object: "\n{" after the first byte. Chunks are fed
/// in order; `prev` is the last byte of the chunk before.
fn starts_a_line(chunk: &[u8], prev: &mut u8) -> bool {
    let hit = (*prev == b'\n' && chunk.first() == Some(&b'{'))
        || memchr::memmem::find(chunk, b"\n{").is_some();
    if let Some(&last) = chunk.last() {
        *prev = last;
    }
    hit
}

/// A one-trace file (`Trace.to_json()`, info first) listed from its head alone: the rest of
/// the file is streamed through a small buffer only to make sure it is not JSON Lines, never
/// held. `None` when the file is anything else (then it is read whole).
fn index_one_trace_file(path: &Path) -> Option<Located> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).ok()?;
    let len = f.metadata().ok()?.len() as usize;
    let mut head = Vec::with_capacity(HEAD_BYTES.min(len));
    (&mut f)
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut head)
        .ok()?;
    let text = match std::str::from_utf8(&head) {
        Ok(t) => t,
        // cut inside a character, or a bad byte: what is valid before it
        Err(e) => std::str::from_utf8(&head[..e.valid_up_to()]).ok()?,
    };
    let base = object_start(text)?;
    let mut prev = 0u8;
    if starts_a_line(&head[base + 1..], &mut prev) {
        return None;
    }
    if head.len() == HEAD_BYTES {
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = f.read(&mut buf).ok()?;
            if n == 0 {
                break;
            }
            if starts_a_line(&buf[..n], &mut prev) {
                return None;
            }
        }
    }
    let info = quick_summary(&text[base..])?;
    Some(Located {
        info,
        range: base..len,
    })
}

/// The same for a file already read whole.
fn one_trace_of(text: &str) -> Option<Located> {
    let base = object_start(text)?;
    if starts_a_line(&text.as_bytes()[base + 1..], &mut 0) {
        return None;
    }
    let info = quick_summary(&text[base..])?;
    Some(Located {
        info,
        range: base..text.len(),
    })
}

/// A source that is one file no larger than this reads it whole once: listing it and opening
/// its trace share the read (the explorer and `show` open that trace next). Larger files are
/// listed from their head, as reading 60 MB whole only to list it would make `list` slow.
const KEEP_WHOLE_BYTES: u64 = 16 << 20;

/// The traces of a file, located, with their summaries; with `keep`, the text of a one-trace
/// file read whole, for the first opening of its trace.
fn index_file(path: &Path, keep: bool) -> Result<Indexed, SourceError> {
    let small = || std::fs::metadata(path).is_ok_and(|m| m.len() <= KEEP_WHOLE_BYTES);
    if !(keep && small())
        && let Some(one) = index_one_trace_file(path)
    {
        return Ok((vec![one], true, Vec::new(), None));
    }
    let (text, exact, mut warnings) = read_text(path)?;
    if exact && let Some(one) = one_trace_of(&text) {
        return Ok((vec![one], true, Vec::new(), keep.then_some(text)));
    }
    let (found, more) = index_traces_file(&text).map_err(|e| SourceError::bad_file(path, e))?;
    warnings.extend(more);
    Ok((found, exact, warnings, None))
}

/// What indexing a file gives: its traces, whether its text was exact UTF-8, its warnings,
/// and the text of a one-trace file when it was kept.
type Indexed = (Vec<Located>, bool, Vec<String>, Option<String>);

/// The text of one trace: its own bytes when the file was valid UTF-8 when listed, else all
/// of it; bad bytes are replaced, with a warning.
fn read_range(
    path: &Path,
    range: Option<&std::ops::Range<usize>>,
) -> Result<(String, Vec<String>), SourceError> {
    use std::io::Read;
    let Some(r) = range else {
        return read_text(path).map(|(t, _, w)| (t, w));
    };
    let mut buf = Vec::with_capacity(r.len());
    open_range(path, r)?
        .read_to_end(&mut buf)
        .map_err(|e| SourceError::bad_file(path, io_reason(&e)))?;
    let (text, bad) = text_of(buf, r.start);
    Ok((
        text,
        bad.map(|w| format!("{}: {w}", path.display()))
            .into_iter()
            .collect(),
    ))
}

/// The trace of a one-trace file, parsed as it is read ([`parse_trace_streamed`]); `None`
/// when it has to be read whole.
fn read_streamed(
    path: &Path,
    range: &std::ops::Range<usize>,
) -> Result<Option<Trace>, SourceError> {
    parse_trace_streamed(&mut open_range(path, range)?)
        .map_err(|e| SourceError::bad_file(path, io_reason(&e)))
}

/// The bytes of `range` in the file at `path`, to be read.
fn open_range(
    path: &Path,
    range: &std::ops::Range<usize>,
) -> Result<std::io::Take<std::fs::File>, SourceError> {
    use std::io::{Read, Seek, SeekFrom};
    let bad = |e: std::io::Error| SourceError::bad_file(path, io_reason(&e));
    let mut f = std::fs::File::open(path).map_err(bad)?;
    f.seek(SeekFrom::Start(range.start as u64)).map_err(bad)?;
    Ok(f.take(range.len() as u64))
}

impl Index {
    /// Reads the files that are new or changed since the last look and forgets the ones that
    /// are gone. Returns the first error met (for a source that has nothing else to show).
    fn refresh(&mut self, files: Vec<PathBuf>) -> Option<SourceError> {
        let mut first_error = None;
        let mut changed = false;
        let present: std::collections::HashSet<&PathBuf> = files.iter().collect();
        let gone: Vec<PathBuf> = self
            .files
            .keys()
            .filter(|f| !present.contains(f))
            .cloned()
            .collect();
        for f in gone {
            self.files.remove(&f);
            self.warnings.remove(&f);
            self.entries.retain(|e| e.file != f);
            changed = true;
        }
        for file in &files {
            let st = stamp(file);
            if st.is_some() && self.files.get(file) == st.as_ref() {
                continue;
            }
            changed = true;
            self.entries.retain(|e| &e.file != file);
            self.warnings.remove(file);
            if let Some(st) = st {
                self.files.insert(file.clone(), st);
            }
            match index_file(file, self.keep_text) {
                Ok((traces, exact, warnings, text)) => {
                    self.kept = text.map(|text| Kept {
                        file: file.clone(),
                        stamp: st,
                        text,
                    });
                    if !warnings.is_empty() {
                        let ws = warnings
                            .into_iter()
                            .map(|w| format!("{}: {w}", file.display()))
                            .collect();
                        self.warnings.insert(file.clone(), ws);
                    }
                    let whole = traces.len() == 1;
                    for (index, t) in traces.into_iter().enumerate() {
                        self.entries.push(Entry {
                            whole,
                            info: t.info,
                            file: file.clone(),
                            index,
                            range: exact.then_some(t.range),
                        });
                    }
                }
                Err(e) => {
                    self.warnings.insert(file.clone(), vec![e.to_string()]);
                    first_error.get_or_insert(e);
                }
            }
        }
        if changed {
            // The same trace exported twice (a .json and a .jsonl): keep the first file's.
            self.entries
                .sort_by(|a, b| a.file.cmp(&b.file).then(a.index.cmp(&b.index)));
            self.by_id.clear();
            let mut keep = Vec::with_capacity(self.entries.len());
            for e in std::mem::take(&mut self.entries) {
                if !self.by_id.contains_key(&e.info.trace_id) {
                    self.by_id.insert(e.info.trace_id.clone(), keep.len());
                    keep.push(e);
                }
            }
            self.entries = keep;
        }
        first_error
    }

    fn warnings(&self) -> Vec<String> {
        self.warnings.values().flatten().cloned().collect()
    }
}

impl JsonStore {
    pub fn open(root: &Path) -> Result<Self, SourceError> {
        let meta =
            std::fs::metadata(root).map_err(|e| SourceError::bad_file(root, io_reason(&e)))?;
        let single = meta.is_file();
        let store = JsonStore {
            root: root.to_path_buf(),
            single,
            index: Mutex::new(Index {
                keep_text: single,
                ..Index::default()
            }),
        };
        let files = store.files();
        if files.is_empty() {
            return Err(SourceError::bad_file(
                root,
                "no .json or .jsonl files in this folder",
            ));
        }
        let mut index = store.lock()?;
        let first_error = index.refresh(files);
        if index.entries.is_empty() {
            // nothing usable: the one file's error, or a summary for a folder
            return Err(match (single, first_error) {
                (true, Some(e)) => e,
                (_, Some(e)) => SourceError::bad_file(
                    root,
                    format!("no trace could be read; first problem: {e}"),
                ),
                (_, None) => SourceError::bad_file(root, "no traces in these files"),
            });
        }
        drop(index);
        Ok(store)
    }

    fn files(&self) -> Vec<PathBuf> {
        if self.single {
            vec![self.root.clone()]
        } else {
            collect_files(&self.root)
        }
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Index>, SourceError> {
        self.index
            .lock()
            .map_err(|_| SourceError::Other("the trace index is unusable".into()))
    }

    /// Problems met while indexing (bad files among good ones).
    pub fn warnings(&self) -> Vec<String> {
        self.lock().map(|i| i.warnings()).unwrap_or_default()
    }
}

impl LocalStore for JsonStore {
    fn describe(&self) -> String {
        format!("json {}", self.root.display())
    }

    fn watch_target(&self) -> Option<super::watch::WatchTarget> {
        let (path, name_prefix) = if self.single {
            let dir = self.root.parent().filter(|d| !d.as_os_str().is_empty());
            (
                dir.map_or_else(|| PathBuf::from("."), Path::to_path_buf),
                Some(self.root.file_name()?.to_string_lossy().into_owned()),
            )
        } else {
            (self.root.clone(), None)
        };
        Some(super::watch::WatchTarget {
            path,
            recursive: !self.single,
            name_prefix,
            ignore_suffixes: Vec::new(),
        })
    }

    fn experiments(&self) -> Result<Vec<Experiment>, SourceError> {
        let mut ids: Vec<String> = self
            .lock()?
            .entries
            .iter()
            .filter_map(|e| e.info.experiment_id.clone())
            .collect();
        ids.sort();
        ids.dedup();
        Ok(ids
            .into_iter()
            .map(|id| Experiment {
                name: id.clone(),
                id,
                active: true,
            })
            .collect())
    }

    fn list(&self, query: &ListQuery) -> Result<TracePage, SourceError> {
        if let Some(page) = super::filtered_page(self, query, crate::model::filter::Store::Sql)? {
            return Ok(page);
        }
        let mut index = self.lock()?;
        if query.page_token.is_none() {
            // a first page looks at the files again: new and changed ones are read
            index.refresh(self.files());
        }
        let infos = index
            .entries
            .iter()
            .filter(|e| wanted(query, e.info.experiment_id.as_deref()))
            .filter(|e| query.is_recent(&e.info))
            .map(|e| e.info.clone())
            .collect();
        let mut page = page_of(infos, query)?;
        if query.page_token.is_none() {
            page.warnings = index.warnings();
        }
        Ok(page)
    }

    fn get(&self, trace_id: &str) -> Result<Arc<Trace>, SourceError> {
        let (entry, kept) = {
            let mut index = self.lock()?;
            let entry = index
                .by_id
                .get(trace_id)
                .and_then(|&i| index.entries.get(i))
                .cloned()
                .ok_or_else(|| {
                    SourceError::NotFound(format!("no trace {trace_id} in {}", self.root.display()))
                })?;
            // the text read to list this one-trace file, if the file has not changed since
            let kept = match index.kept.take() {
                Some(k) if entry.whole && k.file == entry.file && k.stamp == stamp(&k.file) => {
                    Some(k.text)
                }
                other => {
                    index.kept = other;
                    None
                }
            };
            (entry, kept)
        };
        // a large one-trace file: read and parsed in runs, never held whole
        if kept.is_none()
            && entry.whole
            && let Some(r) = &entry.range
            && r.len() as u64 > KEEP_WHOLE_BYTES
            && let Some(trace) = read_streamed(&entry.file, r)?
            && trace.info.trace_id == trace_id
        {
            return Ok(Arc::new(trace));
        }
        let (text, warnings) = match (kept, &entry.range) {
            (Some(mut text), Some(r)) if r.end == text.len() && text.is_char_boundary(r.start) => {
                text.drain(..r.start);
                (text, Vec::new())
            }
            _ => read_range(&entry.file, entry.range.as_ref())?,
        };
        let changed = || {
            SourceError::bad_file(
                &entry.file,
                format!("changed since it was opened; trace {trace_id} is gone"),
            )
        };
        let mut trace = match &entry.range {
            // a one-trace file listed from its head: the rest is read for the first time now
            Some(_) if entry.whole => {
                parse_trace(&text).map_err(|e| SourceError::bad_file(&entry.file, e))?
            }
            Some(_) => parse_trace(&text).map_err(|_| changed())?,
            // the lossy text of the whole file: its traces again
            None => parse_traces_file(&text)
                .map_err(|e| SourceError::bad_file(&entry.file, e))?
                .0
                .into_iter()
                .nth(entry.index)
                .ok_or_else(changed)?,
        };
        if trace.info.trace_id != trace_id {
            return Err(changed());
        }
        trace.warnings.extend(warnings);
        Ok(Arc::new(trace))
    }
}
