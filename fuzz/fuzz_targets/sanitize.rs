//! Any text through the sanitizer and the width-aware cutters: nothing unsafe comes out, and
//! cutting to a width never exceeds it.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mlflow_tui::text::{self, is_unsafe};

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let line = text::sanitize_line(&s);
    assert!(
        !line.chars().any(is_unsafe),
        "sanitize_line let through {line:?}"
    );
    let block = text::sanitize_block(&s);
    assert!(
        !block.chars().any(|c| c != '\n' && is_unsafe(c)),
        "sanitize_block let through {block:?}"
    );
    let w = (data.first().copied().unwrap_or(0) % 64) as usize;
    let cut = text::truncate(&line, w);
    assert!(
        text::width(&cut) <= w,
        "truncate to {w} gave width {}",
        text::width(&cut)
    );
    let fitted = text::fit(&line, w);
    assert_eq!(text::width(&fitted), w, "fit to {w}: {fitted:?}");
    let p = text::preview(&s, w);
    assert!(!p.chars().any(is_unsafe), "preview let through {p:?}");
    assert!(
        text::width(&p) <= w.max(1),
        "preview to {w} gave width {}",
        text::width(&p)
    );
    let json = text::escape_json_unsafe(serde_json::to_string(&*s).expect("a string serializes"));
    assert!(
        !json.chars().any(is_unsafe),
        "escaped JSON let through {json:?}"
    );
    let back: String = serde_json::from_str(&json).expect("escaped JSON parses");
    assert_eq!(back, s, "escaping changed the value");
});
