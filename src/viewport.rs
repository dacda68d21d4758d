//! One scrolling model for everything that scrolls: the trace list, the span tree, the detail
//! document (counted in rows on screen, wrapped or not), help, the message log, the pickers and
//! any new view. A [`Viewport`] knows how many rows its content has (`len`), how many fit on
//! screen (`height`), the first row shown (`offset`) and, for lists, the row under the cursor.
//!
//! Invariants, after every operation (checked by [`Viewport::check`], and by property tests
//! for every pane in `tests/viewport.rs`):
//! - the cursor is a row of the content (0 when there is none);
//! - the cursor is on screen whenever at least one row fits;
//! - the view never starts past the point where its last row reaches the bottom, so after the
//!   content shrinks (a filter, a fold, a resize) it shows as many rows as fit, and the last
//!   row is always reachable.

use std::ops::Range;

/// A move, as keys and the mouse ask for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Up,
    Down,
    Top,
    Bottom,
    HalfPageDown,
    HalfPageUp,
    PageDown,
    PageUp,
    /// Rows down (positive) or up (negative): the mouse wheel.
    By(isize),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Viewport {
    len: usize,
    height: usize,
    offset: usize,
    cursor: usize,
    /// A document has no cursor: moving moves the view.
    document: bool,
}

impl Viewport {
    /// A list with a cursor (trace list, span tree, pickers).
    pub fn list() -> Self {
        Viewport::default()
    }

    /// A document without a cursor (detail, help, message log).
    pub fn document() -> Self {
        Viewport {
            document: true,
            ..Default::default()
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    pub fn height(&self) -> usize {
        self.height
    }
    pub fn offset(&self) -> usize {
        self.offset
    }
    /// The row under the cursor (for a document: the first row shown).
    pub fn cursor(&self) -> usize {
        self.cursor
    }
    pub fn is_document(&self) -> bool {
        self.document
    }

    /// The rows on screen.
    pub fn visible(&self) -> Range<usize> {
        self.offset..(self.offset + self.height).min(self.len)
    }

    /// The furthest the view can start: its last row at the bottom (with no row on screen,
    /// the last row).
    pub fn max_offset(&self) -> usize {
        self.len.saturating_sub(self.height.max(1))
    }

    /// Is everything on screen?
    pub fn fits(&self) -> bool {
        self.len <= self.height
    }

    /// Sets the content's length and the rows on screen, then restores the invariants.
    pub fn fit(&mut self, len: usize, height: usize) {
        self.len = len;
        self.height = height;
        self.clamp();
    }

    /// Puts the cursor on a row (the nearest one that exists), scrolling as little as needed.
    pub fn select(&mut self, row: usize) {
        self.cursor = row;
        self.clamp();
    }

    /// Starts the view at a row (as far as the invariants allow); the cursor stays on screen,
    /// moved in from the edge if the view left it behind.
    pub fn set_offset(&mut self, row: usize) {
        self.offset = row.min(self.max_offset());
        if self.document {
            self.cursor = self.offset;
        } else if self.height > 0 && self.len > 0 {
            self.cursor = self.cursor.clamp(
                self.offset,
                (self.offset + self.height - 1).min(self.len - 1),
            );
        }
        self.clamp();
    }

    /// Moves the cursor (a list) or the view (a document). Returns whether anything moved.
    pub fn go(&mut self, nav: Nav) -> bool {
        let before = (self.offset, self.cursor);
        let page = self.height.max(1);
        let half = (page / 2).max(1);
        if self.document {
            let off = self.offset;
            let to = match nav {
                Nav::Up => off.saturating_sub(1),
                Nav::Down => off + 1,
                Nav::Top => 0,
                Nav::Bottom => self.max_offset(),
                Nav::HalfPageDown => off + half,
                Nav::HalfPageUp => off.saturating_sub(half),
                Nav::PageDown => off + page,
                Nav::PageUp => off.saturating_sub(page),
                Nav::By(d) => off.saturating_add_signed(d),
            };
            self.offset = to;
            self.cursor = to;
            self.clamp();
        } else {
            let last = self.len.saturating_sub(1);
            let c = self.cursor;
            match nav {
                Nav::Up => self.cursor = c.saturating_sub(1),
                Nav::Down => self.cursor = (c + 1).min(last),
                Nav::Top => self.cursor = 0,
                Nav::Bottom => self.cursor = last,
                Nav::By(d) => self.cursor = c.saturating_add_signed(d).min(last),
                // pages move the view and the cursor together, as vim and less do
                Nav::HalfPageDown | Nav::PageDown | Nav::HalfPageUp | Nav::PageUp => {
                    let step = if matches!(nav, Nav::HalfPageDown | Nav::HalfPageUp) {
                        half
                    } else {
                        page
                    };
                    if matches!(nav, Nav::HalfPageDown | Nav::PageDown) {
                        self.cursor = (c + step).min(last);
                        self.offset = (self.offset + step).min(self.max_offset());
                    } else {
                        self.cursor = c.saturating_sub(step);
                        self.offset = self.offset.saturating_sub(step);
                    }
                }
            }
            self.clamp();
        }
        (self.offset, self.cursor) != before
    }

    /// Scrolls a document so that `row` shows with a little context above it.
    pub fn show_row(&mut self, row: usize) {
        if self.document {
            self.offset = row.saturating_sub(2);
            self.cursor = self.offset;
            self.clamp();
        } else {
            self.select(row);
        }
    }

    /// `first-last of len` for a document; `cursor/len` for a list (1-based).
    pub fn position(&self) -> String {
        if self.len == 0 {
            return "0/0".into();
        }
        if self.document {
            let r = self.visible();
            format!("{}-{} of {}", r.start + 1, r.end, self.len)
        } else {
            format!("{}/{}", self.cursor + 1, self.len)
        }
    }

    fn clamp(&mut self) {
        if self.len == 0 {
            self.cursor = 0;
            self.offset = 0;
            return;
        }
        let max_off = self.max_offset();
        if self.document {
            self.offset = self.offset.min(max_off);
            self.cursor = self.offset;
            return;
        }
        self.cursor = self.cursor.min(self.len - 1);
        if self.height > 0 {
            if self.cursor < self.offset {
                self.offset = self.cursor;
            } else if self.cursor >= self.offset + self.height {
                self.offset = self.cursor + 1 - self.height;
            }
        }
        self.offset = self.offset.min(max_off);
    }

    /// The invariants, as an error message when one is broken.
    pub fn check(&self) -> Result<(), String> {
        let Viewport {
            len,
            height,
            offset,
            cursor,
            document,
        } = *self;
        if len == 0 {
            if offset != 0 || cursor != 0 {
                return Err(format!("empty but offset {offset} cursor {cursor}"));
            }
            return Ok(());
        }
        if cursor >= len {
            return Err(format!("cursor {cursor} past the last row {}", len - 1));
        }
        if offset > len.saturating_sub(height.max(1)) {
            return Err(format!(
                "offset {offset} leaves rows empty: {len} rows, {height} on screen"
            ));
        }
        if !document && height > 0 && !(offset <= cursor && cursor < offset + height) {
            return Err(format!(
                "cursor {cursor} off screen (rows {offset}..{})",
                offset + height
            ));
        }
        if document && cursor != offset {
            return Err(format!("document cursor {cursor} != offset {offset}"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shrinking_list_shows_what_fits() {
        let mut v = Viewport::list();
        v.fit(27, 5);
        v.go(Nav::Bottom);
        assert_eq!((v.offset(), v.cursor()), (22, 26));
        // a filter leaves 3 rows: all of them show
        v.fit(3, 5);
        assert_eq!((v.offset(), v.cursor()), (0, 2));
        v.check().unwrap();
    }

    #[test]
    fn a_document_reaches_its_last_row() {
        let mut v = Viewport::document();
        v.fit(40, 10);
        v.go(Nav::Bottom);
        assert_eq!(v.visible(), 30..40);
        assert_eq!(v.position(), "31-40 of 40");
        v.fit(45, 10); // wrapping made more rows: the end is still reachable
        v.go(Nav::Bottom);
        assert_eq!(v.visible(), 35..45);
    }

    #[test]
    fn pages_move_view_and_cursor() {
        let mut v = Viewport::list();
        v.fit(100, 10);
        v.go(Nav::PageDown);
        assert_eq!((v.offset(), v.cursor()), (10, 10));
        v.go(Nav::HalfPageUp);
        assert_eq!((v.offset(), v.cursor()), (5, 5));
        v.check().unwrap();
    }

    #[test]
    fn zero_height_keeps_a_valid_cursor() {
        let mut v = Viewport::list();
        v.fit(10, 0);
        v.go(Nav::Bottom);
        v.check().unwrap();
        v.fit(10, 3);
        v.check().unwrap();
        assert!(v.visible().contains(&9));
    }
}
