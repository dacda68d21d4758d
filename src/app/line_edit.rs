//! A line of text edited like a shell line: ←/→, home/end (ctrl-a/ctrl-e), backspace/delete,
//! ctrl-w (word), ctrl-u (to the start), ctrl-k (to the end), alt-b/alt-f (words). The cursor
//! is a character position, so nothing is ever split inside a character. Every typed prompt
//! (quick filter, filter line, command palette, searches) uses it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineEdit {
    text: String,
    /// Characters before the cursor.
    cursor: usize,
}

/// What a key did to the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The text changed.
    Changed,
    /// Only the cursor moved.
    Moved,
    /// Not an editing key (enter, esc, tab, ↑/↓ are the prompt's own).
    Ignored,
}

impl LineEdit {
    pub fn new(text: &str) -> Self {
        LineEdit {
            text: text.to_string(),
            cursor: text.chars().count(),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The cursor, in characters from the start.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Replaces the text; the cursor goes to the end.
    pub fn set(&mut self, text: &str) {
        self.text = text.to_string();
        self.cursor = self.text.chars().count();
    }

    /// Replaces the text and puts the cursor at a character position.
    pub fn set_with_cursor(&mut self, text: &str, cursor: usize) {
        self.text = text.to_string();
        self.cursor = cursor.min(self.text.chars().count());
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(b, _)| b)
    }

    pub fn insert(&mut self, c: char) {
        let at = self.byte_at(self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
    }

    pub fn insert_str(&mut self, s: &str) {
        for c in s.chars() {
            self.insert(c);
        }
    }

    /// The text before the cursor.
    pub fn before_cursor(&self) -> &str {
        &self.text[..self.byte_at(self.cursor)]
    }

    /// Where the word that ends at `chars` starts (shell rules: skip spaces, then non-spaces).
    fn word_start(&self, chars: usize) -> usize {
        let v: Vec<char> = self.text.chars().take(chars).collect();
        let mut i = v.len();
        while i > 0 && v[i - 1].is_whitespace() {
            i -= 1;
        }
        while i > 0 && !v[i - 1].is_whitespace() {
            i -= 1;
        }
        i
    }

    fn word_end(&self, chars: usize) -> usize {
        let v: Vec<char> = self.text.chars().collect();
        let mut i = chars.min(v.len());
        while i < v.len() && v[i].is_whitespace() {
            i += 1;
        }
        while i < v.len() && !v[i].is_whitespace() {
            i += 1;
        }
        i
    }

    fn delete_range(&mut self, from: usize, to: usize) -> Edit {
        if from >= to {
            return Edit::Moved;
        }
        let (a, b) = (self.byte_at(from), self.byte_at(to));
        self.text.replace_range(a..b, "");
        self.cursor = from;
        Edit::Changed
    }

    /// Applies an editing key.
    pub fn handle(&mut self, k: &KeyEvent) -> Edit {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        let alt = k.modifiers.contains(KeyModifiers::ALT);
        let len = self.text.chars().count();
        let before = self.cursor;
        match k.code {
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = len,
            KeyCode::Char('b') if ctrl => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Char('f') if ctrl => self.cursor = (self.cursor + 1).min(len),
            KeyCode::Char('w') if ctrl => {
                let from = self.word_start(self.cursor);
                return self.delete_range(from, self.cursor);
            }
            KeyCode::Char('u') if ctrl => return self.delete_range(0, self.cursor),
            KeyCode::Char('k') if ctrl => return self.delete_range(self.cursor, len),
            KeyCode::Char('h') if ctrl => {
                return self.delete_range(self.cursor.saturating_sub(1), self.cursor);
            }
            KeyCode::Char('d') if ctrl => {
                return self.delete_range(self.cursor, (self.cursor + 1).min(len));
            }
            KeyCode::Char('b') if alt => self.cursor = self.word_start(self.cursor),
            KeyCode::Char('f') if alt => self.cursor = self.word_end(self.cursor),
            KeyCode::Backspace if alt => {
                let from = self.word_start(self.cursor);
                return self.delete_range(from, self.cursor);
            }
            KeyCode::Char(_) if ctrl || alt => return Edit::Ignored,
            KeyCode::Char(c) => {
                self.insert(c);
                return Edit::Changed;
            }
            KeyCode::Backspace => {
                return self.delete_range(self.cursor.saturating_sub(1), self.cursor);
            }
            KeyCode::Delete => return self.delete_range(self.cursor, (self.cursor + 1).min(len)),
            KeyCode::Left if ctrl || alt => self.cursor = self.word_start(self.cursor),
            KeyCode::Right if ctrl || alt => self.cursor = self.word_end(self.cursor),
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(len),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = len,
            _ => return Edit::Ignored,
        }
        let _ = before;
        Edit::Moved
    }

    /// The word under the cursor for completion: from the last space (or `(` / `,`) before the
    /// cursor to the cursor. Returns its start (in characters) and the word.
    pub fn completion_word(&self) -> (usize, String) {
        let before: Vec<char> = self.text.chars().take(self.cursor).collect();
        let mut i = before.len();
        let mut in_quote = false;
        // a backquoted key may hold spaces and dots: `tags.`my key`
        for (j, c) in before.iter().enumerate() {
            if *c == '`' {
                in_quote = !in_quote;
                if in_quote {
                    i = j;
                }
            }
        }
        if !in_quote {
            i = before.len();
            while i > 0 && !matches!(before[i - 1], ' ' | '(' | ',') {
                i -= 1;
            }
        } else {
            // back to the start of the field the quote belongs to
            while i > 0 && !matches!(before[i - 1], ' ' | '(' | ',') {
                i -= 1;
            }
        }
        (i, before[i..].iter().collect())
    }

    /// Replaces the word under the cursor (from `start`) with `with`.
    pub fn replace_word(&mut self, start: usize, with: &str) {
        let a = self.byte_at(start);
        let b = self.byte_at(self.cursor);
        self.text.replace_range(a..b, with);
        self.cursor = start + with.chars().count();
    }
}

/// The completions of `word` among `candidates` (case-insensitive prefix match), sorted, and
/// their longest common prefix.
pub fn complete(word: &str, candidates: &[String]) -> (Vec<String>, String) {
    let lower = word.to_lowercase();
    let mut hits: Vec<String> = candidates
        .iter()
        .filter(|c| c.to_lowercase().starts_with(&lower) && c.as_str() != word)
        .cloned()
        .collect();
    hits.sort();
    hits.dedup();
    let common = match hits.first() {
        None => word.to_string(),
        Some(first) => {
            let mut n = first.chars().count();
            for h in &hits[1..] {
                n = first
                    .chars()
                    .zip(h.chars())
                    .take(n)
                    .take_while(|(a, b)| a == b)
                    .count();
            }
            let p: String = first.chars().take(n).collect();
            if p.chars().count() > word.chars().count() {
                p
            } else {
                word.to_string()
            }
        }
    };
    (hits, common)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }
    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    #[test]
    fn edits_like_a_shell_line() {
        let mut e = LineEdit::new("tags.env = 'prod'");
        e.handle(&ctrl('w'));
        assert_eq!(e.text(), "tags.env = ");
        e.handle(&key(KeyCode::Home));
        e.handle(&key(KeyCode::Right));
        e.handle(&key(KeyCode::Char('X')));
        assert_eq!(e.text(), "tXags.env = ");
        e.handle(&key(KeyCode::Backspace));
        e.handle(&key(KeyCode::End));
        e.insert_str("'dev'");
        assert_eq!(e.text(), "tags.env = 'dev'");
        e.handle(&key(KeyCode::Left));
        e.handle(&ctrl('u'));
        assert_eq!(e.text(), "'");
        assert_eq!(e.cursor(), 0);
        e.handle(&ctrl('k'));
        assert!(e.is_empty());
    }

    #[test]
    fn wide_characters_are_never_split() {
        let mut e = LineEdit::new("世界");
        e.handle(&key(KeyCode::Left));
        e.handle(&key(KeyCode::Char('x')));
        assert_eq!(e.text(), "世x界");
        e.handle(&key(KeyCode::Backspace));
        e.handle(&key(KeyCode::Backspace));
        assert_eq!(e.text(), "界");
    }

    #[test]
    fn completes_the_word_under_the_cursor() {
        let mut e = LineEdit::new("attributes.status = 'OK' AND tags.e");
        let (start, word) = e.completion_word();
        assert_eq!(word, "tags.e");
        let cands = vec!["tags.env".to_string(), "tags.eval".to_string()];
        let (hits, common) = complete(&word, &cands);
        assert_eq!(hits.len(), 2);
        assert_eq!(common, "tags.e");
        e.replace_word(start, "tags.env");
        assert_eq!(e.text(), "attributes.status = 'OK' AND tags.env");
    }
}
