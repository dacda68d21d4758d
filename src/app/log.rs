//! The message log: every warning and error of the session, whole (the status line shows only
//! the newest, cut to its width). Bounded: the oldest go first, and the log says how many.

use std::collections::VecDeque;

/// Entries kept; older ones are dropped and counted.
pub const LOG_MAX: usize = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub level: Level,
    /// When it was logged (ms since the epoch, as last known to the UI).
    pub at_ms: i64,
    pub text: String,
    /// The same text again right after: counted instead of repeated.
    pub repeats: u32,
}

#[derive(Debug, Clone, Default)]
pub struct MessageLog {
    pub entries: VecDeque<Entry>,
    pub dropped: usize,
    /// Entries added since the log was last opened.
    pub unread: usize,
}

impl MessageLog {
    pub fn push(&mut self, level: Level, text: &str, at_ms: i64) {
        if let Some(last) = self.entries.back_mut()
            && last.text == text
            && last.level == level
        {
            last.repeats = last.repeats.saturating_add(1);
            last.at_ms = at_ms;
            return;
        }
        self.entries.push_back(Entry {
            level,
            at_ms,
            text: text.to_string(),
            repeats: 0,
        });
        self.unread += 1;
        while self.entries.len() > LOG_MAX {
            self.entries.pop_front();
            self.dropped += 1;
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_counted_and_the_log_is_bounded() {
        let mut l = MessageLog::default();
        l.push(Level::Error, "x", 1);
        l.push(Level::Error, "x", 2);
        assert_eq!(l.len(), 1);
        assert_eq!(l.entries[0].repeats, 1);
        for i in 0..LOG_MAX + 5 {
            l.push(Level::Warning, &i.to_string(), 3);
        }
        assert_eq!(l.len(), LOG_MAX);
        assert_eq!(l.dropped, 6);
    }
}
