//! A large trace document parsed in parts: runs of spans cut at span boundaries found by byte
//! searches, each run parsed on a core of its own, each part proving its cut. Two ways in:
//! a document already in memory ([`parse_doc_split`]), and a document as it is read
//! ([`parse_doc_streamed`]), which never holds the whole text, so that opening a 60 MB export
//! costs the memory of its spans and not of its text as well.
//!
//! The cuts: the span list is the `[` after the first `"spans":`, and runs are cut where
//! `}, {"<the key the first span starts with>"` appears and an object with a span id follows.
//! A search can be fooled (a list of events inside a span looks the same), so each part
//! proves itself:
//! - the document must end with the list's `]` and then only closing braces;
//! - the head, the document up to that `[` with a marker span and the closers appended, must
//!   parse as a trace whose one span list is exactly the marker (a span named with a nonce of
//!   this call), so the `[` is the list the trace's spans come from;
//! - each run must parse as complete spans separated by commas, to its end.
//!
//! Then the document is the head's trace with the runs' spans in its list. Anything else
//! gives `None`, and the caller parses the document whole, as it always did.

use std::io::Read;
use std::sync::{Arc, Mutex, mpsc};

use super::{
    Doc, FastSpans, RawDoc, RawSpan, Span, SpanListOf, Str, finish_span_list, push_span, span_from,
    split_doc,
};

/// Below this size one core parses a document: parts would cost more than they save.
pub(super) const SPLIT_MIN_BYTES: usize = 512 * 1024;
/// Each part is at least this large.
pub(super) const SPLIT_PART_BYTES: usize = 256 * 1024;
/// A document read as it streams is read this much at a time, and cut into runs of about
/// this size: the text held at once is a few of these, whatever the document's size.
pub(super) const STREAM_BLOCK_BYTES: usize = 512 << 10;
/// A streamed document whose span list has not begun within this many bytes is read whole.
const STREAM_HEAD_LIMIT: usize = 64 << 20;

/// A large trace document in memory, parsed in parts, one per core.
/// `cores`: how many parts at most; `min_bytes`, `part_bytes`: [`SPLIT_MIN_BYTES`] and
/// [`SPLIT_PART_BYTES`] (smaller in tests).
pub(super) fn parse_doc_split(
    text: &str,
    cores: usize,
    min_bytes: usize,
    part_bytes: usize,
) -> Option<Doc> {
    if cores < 2 || text.len() < min_bytes {
        return None;
    }
    let list = last_span_list(text)?;
    let parts = cores.min(8).min(list.len() / part_bytes.max(1));
    let runs = cut_runs(text, &list, parts);
    if runs.len() < 2 {
        return None;
    }
    let head = MarkedHead::new(&text[..=list.open], list.closers);
    std::thread::scope(|scope| {
        let (mine, theirs) = runs.split_first()?;
        // a thread the system will not give: that run is parsed here, after the others
        let handles: Vec<_> = theirs
            .iter()
            .map(|&run| {
                let parse = move || parse_span_run(run, run.len() / 512);
                (
                    run,
                    std::thread::Builder::new().spawn_scoped(scope, parse).ok(),
                )
            })
            .collect();
        // The first run's list is made room enough for every span (no span is under 160
        // bytes of JSON) so that the others are moved onto its end, not the whole list into
        // a larger one: room not filled is never touched, so it takes no memory.
        let (mut spans, mut trace_id) = parse_span_run(mine, list.len() / 160)?;
        for (run, handle) in handles {
            let part = match handle {
                Some(h) => h.join().ok()?,
                None => parse_span_run(run, run.len() / 512),
            };
            let (s, id) = part?;
            spans.extend(s);
            trace_id = trace_id.or(id);
        }
        head.with_spans(spans, trace_id)
    })
}

/// A large trace document parsed as it is read: each run of spans is parsed on a core while
/// the next is read, and its text dropped once parsed. `Ok(None)` when the document is not
/// one that can be cut (the caller reads it whole; what was read so far is lost);
/// `block`: [`STREAM_BLOCK_BYTES`] (smaller in tests).
pub(super) fn parse_doc_streamed(
    input: &mut dyn Read,
    cores: usize,
    block: usize,
) -> std::io::Result<Option<Doc>> {
    let block = block.max(1);
    // the head: up to the first span's first key
    let mut buf = Vec::with_capacity(block);
    let mut eof = false;
    let mut from = 0;
    let (open, first, key_end) = loop {
        match list_start(&buf, &mut from) {
            Start::At(open, first, key_end) => break (open, first, key_end),
            Start::Never => return Ok(None),
            Start::More if eof || buf.len() > STREAM_HEAD_LIMIT => return Ok(None),
            Start::More => eof = read_block(input, &mut buf, block)?,
        }
    };
    let Ok(head_text) = std::str::from_utf8(&buf[..=open]) else {
        return Ok(None);
    };
    let head_text = head_text.to_owned();
    let needle = buf[first..=key_end].to_vec();
    let mut pending = buf.split_off(first);
    drop(buf);

    std::thread::scope(|scope| {
        // runs go to the workers one at a time (a bounded channel: the reader waits for a
        // free worker instead of reading ahead), parsed runs come back with their number
        let (run_tx, run_rx) = mpsc::sync_channel::<(usize, Vec<u8>)>(1);
        let run_rx = Arc::new(Mutex::new(run_rx));
        let (done_tx, done_rx) = mpsc::channel();
        // a run's buffer, once parsed, is read into again: no fresh pages for every run
        let (spare_tx, spare_rx) = mpsc::channel::<Vec<u8>>();
        let mut workers = 0;
        for _ in 0..cores.clamp(1, 8) {
            let (runs, done, spare) = (Arc::clone(&run_rx), done_tx.clone(), spare_tx.clone());
            let work = move || {
                loop {
                    let next = match runs.lock() {
                        Ok(runs) => runs.recv(),
                        Err(_) => return,
                    };
                    let Ok((i, run)) = next else { return };
                    let (parsed, buf) = match String::from_utf8(run) {
                        Ok(run) => (parse_span_run(&run, run.len() / 512), run.into_bytes()),
                        Err(e) => (None, e.into_bytes()),
                    };
                    let _ = spare.send(buf);
                    if done.send((i, parsed)).is_err() {
                        return;
                    }
                }
            };
            if std::thread::Builder::new()
                .spawn_scoped(scope, work)
                .is_ok()
            {
                workers += 1;
            }
        }
        // the workers hold the only receivers now: if they all stop, sending fails
        drop((run_rx, done_tx, spare_tx));
        if workers == 0 {
            return Ok(None);
        }
        let mut sent = 0;
        let closers = loop {
            if !eof {
                eof = read_block(input, &mut pending, block)?;
            }
            if eof {
                let Some((end, closers)) = list_end(&pending) else {
                    return Ok(None);
                };
                pending.truncate(end);
                if run_tx.send((sent, pending)).is_err() {
                    return Ok(None);
                }
                sent += 1;
                break closers;
            }
            if pending.len() < block {
                continue;
            }
            if let Some((end, next)) = last_boundary(&pending, &needle) {
                let mut rest = spare_rx.try_recv().unwrap_or_default();
                rest.clear();
                rest.reserve(block + block / 2);
                rest.extend_from_slice(&pending[next..]);
                pending.truncate(end);
                if run_tx
                    .send((sent, std::mem::replace(&mut pending, rest)))
                    .is_err()
                {
                    return Ok(None);
                }
                sent += 1;
            }
        };
        drop(run_tx);
        let mut runs: Vec<Option<(Vec<Span>, Option<String>)>> = Vec::new();
        runs.resize_with(sent, || None);
        for (i, parsed) in done_rx {
            match (runs.get_mut(i), parsed) {
                (Some(slot), Some(parsed)) => *slot = Some(parsed),
                _ => return Ok(None),
            }
        }
        let runs: Option<Vec<_>> = runs.into_iter().collect();
        let Some(runs) = runs else {
            return Ok(None);
        };
        let mut spans = Vec::with_capacity(runs.iter().map(|(s, _)| s.len()).sum());
        let mut trace_id = None;
        for (s, id) in runs {
            spans.extend(s);
            trace_id = trace_id.or(id);
        }
        Ok(MarkedHead::new(&head_text, closers).with_spans(spans, trace_id))
    })
}

/// Reads up to `block` more bytes onto `buf`; true at the end of the input.
fn read_block(input: &mut dyn Read, buf: &mut Vec<u8>, block: usize) -> std::io::Result<bool> {
    let n = input.take(block as u64).read_to_end(buf)?;
    Ok(n < block)
}

/// The document up to its span list's `[`, with a marker span and the closers appended: it
/// parses as a trace whose one span is the marker only if that `[` is the trace's span list.
struct MarkedHead {
    text: String,
    nonce: String,
}

impl MarkedHead {
    fn new(prefix: &str, closers: usize) -> Self {
        use std::hash::{BuildHasher, Hasher};
        let nonce = format!(
            "mlflow-tui part marker {:016x}",
            std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish()
        );
        let marker = format!("{{\"name\":\"{nonce}\"}}]");
        let mut text = String::with_capacity(prefix.len() + marker.len() + closers);
        text.push_str(prefix);
        text.push_str(&marker);
        text.extend(std::iter::repeat_n('}', closers));
        MarkedHead { text, nonce }
    }

    /// The document: the head's trace with `spans` as its span list; `None` unless the head
    /// proves the cut.
    fn with_spans(&self, spans: Vec<Span>, trace_id: Option<String>) -> Option<Doc> {
        let doc = serde_json::from_str::<RawDoc<FastSpans>>(&self.text).ok()?;
        let in_data = doc.data.as_ref().is_some_and(|d| d.spans.is_some());
        if in_data == doc.spans.is_some() {
            return None;
        }
        let (list, req, resp) = split_doc(doc.data, doc.spans, doc.request, doc.response);
        let (marked, _, _) = list?.into_list();
        if !matches!(marked.as_slice(), [m] if m.name == self.nonce) {
            return None;
        }
        let list = finish_span_list(spans, trace_id, Vec::new());
        Some((doc.info, req, resp, Some(list)))
    }
}

/// JSON's white space (and only JSON's: a parse of the whole would refuse any other).
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// `bytes[..end]` without the white space at its end.
fn trim_end_at(bytes: &[u8], mut end: usize) -> usize {
    while end > 0 && is_ws(bytes[end - 1]) {
        end -= 1;
    }
    end
}

/// `bytes[at..]` without the white space at its start: where it begins.
fn skip_ws(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).copied().is_some_and(is_ws) {
        at += 1;
    }
    at
}

/// The list's closing `]` and how many closing braces follow it, when only closing braces and
/// white space end the document.
fn list_end(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut end = trim_end_at(bytes, bytes.len());
    let mut closers = 0;
    while end > 0 && bytes[end - 1] == b'}' {
        closers += 1;
        end = trim_end_at(bytes, end - 1);
    }
    (end > 0 && bytes[end - 1] == b']' && closers > 0).then(|| (end - 1, closers))
}

/// Where a span list begins, in the bytes read so far.
enum Start {
    /// The list's `[`, its first span's `{`, and the closing quote of that span's first key.
    At(usize, usize, usize),
    /// Not in the bytes so far.
    More,
    /// The first `"spans"` is not followed by a list of objects.
    Never,
}

/// The list after the first `"spans":` in `bytes`; `from`: where the search for the key goes
/// on from (updated, so that reading more does not search again what was searched).
fn list_start(bytes: &[u8], from: &mut usize) -> Start {
    const KEY: &[u8] = b"\"spans\"";
    let Some(key) = memchr::memmem::find(&bytes[*from..], KEY).map(|k| *from + k) else {
        *from = bytes.len().saturating_sub(KEY.len() - 1).max(*from);
        return Start::More;
    };
    *from = key;
    let colon = skip_ws(bytes, key + KEY.len());
    let open = skip_ws(bytes, colon + 1);
    let first = skip_ws(bytes, open + 1);
    for (at, want) in [
        (colon, b':'),
        (open, b'['),
        (first, b'{'),
        (first + 1, b'"'),
    ] {
        match bytes.get(at) {
            None => return Start::More,
            Some(&b) if b != want => return Start::Never,
            Some(_) => {}
        }
    }
    match memchr::memchr(b'"', &bytes[first + 2..]) {
        Some(i) => Start::At(open, first, first + 2 + i),
        None => Start::More,
    }
}

/// Where a document's span list is, found by byte searches.
struct SpanListAt {
    /// The list's `[`.
    open: usize,
    /// Its first span's `{`.
    first: usize,
    /// Its closing `]`, which only closing braces and white space follow.
    end: usize,
    /// How many closing braces follow it.
    closers: usize,
}

impl SpanListAt {
    /// The bytes of its spans.
    fn len(&self) -> usize {
        self.end - self.first
    }
}

/// The span list after the first `"spans":`, when it is the last thing in the document and
/// starts with an object.
fn last_span_list(text: &str) -> Option<SpanListAt> {
    let bytes = text.as_bytes();
    let (end, closers) = list_end(bytes)?;
    let Start::At(open, first, _) = list_start(&bytes[..end], &mut 0) else {
        return None;
    };
    Some(SpanListAt {
        open,
        first,
        end,
        closers,
    })
}

/// The end of the span before a span boundary whose next span begins at `start`: the `}`
/// before the `,` before `start`, with only white space between.
fn span_end_before(bytes: &[u8], start: usize) -> Option<usize> {
    let comma = trim_end_at(bytes, start);
    if comma == 0 || bytes[comma - 1] != b',' {
        return None;
    }
    let end = trim_end_at(bytes, comma - 1);
    (end > 0 && bytes[end - 1] == b'}').then_some(end)
}

/// The list's spans in up to `parts` runs of about equal size, cut before a span that starts
/// with the first span's first key (`}, {"<key>"`) and has a span id.
fn cut_runs<'a>(text: &'a str, list: &SpanListAt, parts: usize) -> Vec<&'a str> {
    let bytes = text.as_bytes();
    let (first, end) = (list.first, list.end);
    let Some(key_end) = memchr::memchr(b'"', &bytes[first + 2..end]).map(|i| first + 2 + i) else {
        return Vec::new();
    };
    let needle = &bytes[first..=key_end];
    // a boundary at or after `from`: (end of the span before it, start of the next)
    let boundary = |from: usize| -> Option<(usize, usize)> {
        let mut at = from;
        while at < end {
            let start = at + memchr::memmem::find(&bytes[at..end], needle)?;
            if let Some(e) = span_end_before(bytes, start)
                && starts_a_span(&bytes[start..end])
            {
                return Some((e, start));
            }
            at = start + 1;
        }
        None
    };
    let mut runs = Vec::with_capacity(parts.max(1));
    let mut run_start = first;
    for i in 1..parts {
        let want = first + list.len() / parts * i;
        if let Some((e, next)) = boundary(want.max(run_start + 1)) {
            runs.push(&text[run_start..e]);
            run_start = next;
        }
    }
    runs.push(&text[run_start..end]);
    runs
}

/// The last span boundary in `bytes` (runs of spans read so far, the last perhaps cut short)
/// after its first byte: (end of the span before it, start of the next). A few candidates
/// are tried from the end; when none holds, the run grows by another block and is tried again.
fn last_boundary(bytes: &[u8], needle: &[u8]) -> Option<(usize, usize)> {
    const TRIES: usize = 32;
    let mut end = bytes.len();
    for _ in 0..TRIES {
        let start = memchr::memmem::rfind(&bytes[1..end], needle)? + 1;
        if let Some(e) = span_end_before(bytes, start)
            && starts_a_span(&bytes[start..])
        {
            return Some((e, start));
        }
        end = start;
    }
    None
}

/// Whether `bytes` start with what looks like a span of a list: an object with a span id,
/// followed by a comma or nothing. An event in a span's list of events has no span id, so a
/// cut there is passed over before any part is parsed.
fn starts_a_span(bytes: &[u8]) -> bool {
    let mut it = serde_json::Deserializer::from_slice(bytes).into_iter::<RawSpan>();
    let Some(Ok(raw)) = it.next() else {
        return false;
    };
    let next = skip_ws(bytes, it.byte_offset());
    let has_id = |s: &Str| s.0.as_deref().is_some_and(|id| !id.is_empty());
    matches!(bytes.get(next), None | Some(b','))
        && (has_id(&raw.span_id)
            || has_id(&raw.span_id_camel)
            || raw.context.as_ref().is_some_and(|c| has_id(&c.span_id)))
}

/// Spans separated by commas (`{…}, {…}`), as a part of a list: the spans, and the trace id
/// of the first that has one. `None` unless the whole text is such spans.
fn parse_span_run(text: &str, capacity: usize) -> Option<(Vec<Span>, Option<String>)> {
    let bytes = text.as_bytes();
    let mut spans = Vec::with_capacity(capacity);
    let mut trace_id = None;
    let mut at = skip_ws(bytes, 0);
    loop {
        if bytes.get(at) != Some(&b'{') {
            return None;
        }
        let mut it = serde_json::Deserializer::from_str(&text[at..]).into_iter::<RawSpan>();
        let raw = it.next()?.ok()?;
        if trace_id.is_none() {
            trace_id = raw.mlflow_trace_id();
        }
        push_span(&mut spans, span_from(raw));
        at = skip_ws(bytes, at + it.byte_offset());
        match bytes.get(at) {
            None => return Some((spans, trace_id)),
            Some(b',') => at = skip_ws(bytes, at + 1),
            Some(_) => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse_doc_whole;
    use super::*;
    use serde_json::Value;

    /// Parses `text` in parts every way there is (2-5 parts, parts as small as a span) and
    /// holds each to the whole parse. True if some way did split it.
    fn split_as_whole(text: &str) -> bool {
        let whole = parse_doc_whole(text);
        let mut split_any = false;
        for cores in 2..=5 {
            for part in [1, 64, 4096] {
                let doc = parse_doc_split(text, cores, 0, part);
                split_any |= as_whole(doc, &whole, || format!("{cores} parts of {part} bytes"));
            }
        }
        split_any
    }

    /// Holds a document parsed in parts, if it was, to the whole parse; true if it was.
    fn as_whole(
        doc: Option<Doc>,
        whole: &Result<Doc, crate::model::parse::ParseError>,
        how: impl Fn() -> String,
    ) -> bool {
        let Some(doc) = doc else {
            return false;
        };
        assert_eq!(
            Some(&doc),
            whole.as_ref().ok(),
            "{}: not the whole parse",
            how()
        );
        true
    }

    /// A reader that gives at most `step` bytes a call, as a pipe or a socket may.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(out.len()).min(self.bytes.len());
            out[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    /// Parses `text` as it is read every way there is (blocks from a byte to 4 KB, one to
    /// three workers, reads of any size) and holds each to the whole parse. True if some way
    /// did read it in runs.
    fn streamed_as_whole(text: &str) -> bool {
        let whole = parse_doc_whole(text);
        let mut streamed_any = false;
        let blocks: &[usize] = if text.len() < 20_000 {
            &[1, 16, 4096]
        } else {
            &[64, 4096]
        };
        for &block in blocks {
            for (cores, step) in [(1, usize::MAX), (2, 3), (3, 1000)] {
                let mut input = Trickle {
                    bytes: text.as_bytes(),
                    step,
                };
                let doc = parse_doc_streamed(&mut input, cores, block).unwrap();
                streamed_any |= as_whole(doc, &whole, || {
                    format!("read in blocks of {block} bytes by {cores} workers")
                });
            }
        }
        streamed_any
    }

    /// Both ways in: in memory and as read.
    fn parts_as_whole(text: &str) -> bool {
        let split = split_as_whole(text);
        let streamed = streamed_as_whole(text);
        split || streamed
    }

    fn fixture_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                fixture_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }

    #[test]
    fn parts_parse_as_the_whole_on_every_fixture() {
        let mut files = Vec::new();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        fixture_files(&root.join("tests/fixtures"), &mut files);
        fixture_files(&root.join("assets/demo"), &mut files);
        let (mut split, mut streamed) = (0, 0);
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap();
            split += usize::from(split_as_whole(&text));
            streamed += usize::from(streamed_as_whole(&text));
        }
        // the SDK's exports of every generation split (a test that splits nothing proves nothing)
        assert!(
            split >= 10 && streamed >= 10,
            "only {split} of {} files were split and {streamed} read in runs",
            files.len()
        );
    }

    proptest::proptest! {
        /// Any trace document, compact or pretty, with strings that look like span starts and
        /// events that start like spans: its parts parse as the whole does.
        #[test]
        fn parts_parse_as_the_whole(
            spans in proptest::collection::vec(
                (
                    "[a-z\\{\\}\", ]{0,12}",
                    proptest::collection::vec("[a-z\\{\\}\", ]{0,8}", 0..3),
                    proptest::bool::ANY,
                ),
                0..12,
            ),
            pretty in proptest::bool::ANY,
            spans_last in proptest::bool::ANY,
        ) {
            let list: Vec<Value> = spans
                .iter()
                .enumerate()
                .map(|(i, (name, events, key_first))| {
                    let events: Vec<Value> = events
                        .iter()
                        .map(|e| {
                            if *key_first {
                                serde_json::json!({"trace_id": e, "name": e})
                            } else {
                                serde_json::json!({"name": e})
                            }
                        })
                        .collect();
                    serde_json::json!({
                        "trace_id": "q83vAA==",
                        "span_id": format!("{i:016x}"),
                        "name": name,
                        "events": events,
                        "attributes": {"mlflow.spanInputs": serde_json::to_string(name).unwrap()},
                    })
                })
                .collect();
            let mut data = serde_json::Map::new();
            if !spans_last {
                data.insert("request".into(), Value::from("{}"));
            }
            data.insert("spans".into(), Value::Array(list));
            let doc = serde_json::json!({"info": {"trace_id": "tr-1"}, "data": data});
            let text = if pretty {
                serde_json::to_string_pretty(&doc).unwrap()
            } else {
                serde_json::to_string(&doc).unwrap()
            };
            parts_as_whole(&text);
        }
    }

    proptest::proptest! {
        /// Any text at all (mostly JSON's punctuation, a span list's key, a span's first key
        /// and a character of two bytes): cutting it never panics, and a cut that is taken
        /// gives what the whole parse gives.
        #[test]
        fn parts_of_any_text(
            pieces in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("\"spans\"".to_string()),
                    proptest::strategy::Just("\"spans\": ".to_string()),
                    proptest::strategy::Just("é".to_string()),
                    proptest::strategy::Just("{\"span_id\": \"a\"}".to_string()),
                    proptest::strategy::Just("}, {\"span_id\"".to_string()),
                    "[\\[\\]{}\":, \\\\é0-9a-z]{0,6}",
                ],
                0..24,
            ),
            end in proptest::prop_oneof![
                proptest::strategy::Just("]}"),
                proptest::strategy::Just("] }}"),
                proptest::strategy::Just(""),
            ],
        ) {
            let text = pieces.concat() + end;
            let whole = parse_doc_whole(&text);
            for cores in 2..=3 {
                if let Some(doc) = parse_doc_split(&text, cores, 0, 1) {
                    proptest::prop_assert_eq!(Some(&doc), whole.as_ref().ok());
                }
            }
            for block in [1, 5] {
                if let Some(doc) = parse_doc_streamed(&mut text.as_bytes(), 2, block).unwrap() {
                    proptest::prop_assert_eq!(Some(&doc), whole.as_ref().ok());
                }
            }
        }
    }

    #[test]
    fn parts_cut_inside_a_span_are_refused() {
        // what used to panic: a span list's key with no list after it, or a character of two
        // bytes where the list should start
        for text in [r#"{"spans": ]}"#, r#"{"spans": é]}"#, r#"{"spans":]}"#] {
            assert!(parse_doc_split(text, 2, 0, 1).is_none());
            assert!(
                parse_doc_streamed(&mut text.as_bytes(), 2, 1)
                    .unwrap()
                    .is_none()
            );
        }
        // events whose objects start with the same key as the spans: a cut can land in them
        let span = |i: usize| {
            format!(
                r#"{{"name": "s{i}", "span_id": "{i:016x}", "events": [{{"name": "e"}}, {{"name": "f", "attributes": {{"k": 1}}}}], "attributes": {{"mlflow.spanType": "\"TOOL\""}}}}"#
            )
        };
        let spans: Vec<String> = (0..40).map(span).collect();
        let doc = format!(
            r#"{{"info": {{"trace_id": "tr-1"}}, "data": {{"spans": [{}]}}}}"#,
            spans.join(", ")
        );
        assert!(split_as_whole(&doc), "a list of 40 spans was never split");
        assert!(
            streamed_as_whole(&doc),
            "a list of 40 spans was never read in runs"
        );
        // a "spans" list before the trace's own (in an assessment's value)
        parts_as_whole(&format!(
            r#"{{"info": {{"trace_id": "tr-1", "assessments": [{{"spans": [{{"name": "x"}}, {{"name": "y"}}]}}]}}, "data": {{"spans": [{}]}}}}"#,
            spans.join(", ")
        ));
        // two span lists, a list that is not last, a list with a number in it, an empty list
        for doc in [
            format!(
                r#"{{"spans": [{}], "data": {{"spans": [{}]}}}}"#,
                span(0),
                spans.join(", ")
            ),
            format!(
                r#"{{"data": {{"spans": [{}], "request": "{{}}"}}}}"#,
                spans.join(", ")
            ),
            format!(
                r#"{{"data": {{"spans": [{}, 7, {}]}}}}"#,
                spans[..20].join(", "),
                spans[20..].join(", ")
            ),
            r#"{"data": {"spans": []}}"#.to_string(),
            format!(
                r#"{{"info": {{"spans": [{}]}}, "data": {{"spans": []}}}}"#,
                spans.join(", ")
            ),
        ] {
            parts_as_whole(&doc);
        }
    }
}
