//! Problems in a rules file, each pointing at the token a person must change.

use std::ops::Range;

/// One problem in a rules file: where it is (1-based line and column, columns counted in
/// characters, so a line of Chinese text points at the right place) and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct RuleError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl RuleError {
    /// The error with the offending line of `text` below it and a caret under the column, as a
    /// command-line tool or an editor's log would show it.
    pub fn snippet(&self, text: &str) -> String {
        let line_text = text.lines().nth(self.line.saturating_sub(1)).unwrap_or("");
        let caret_indent: String = line_text
            .chars()
            .take(self.column.saturating_sub(1))
            // Tabs stay tabs so the caret lines up in a terminal whatever its tab width.
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        format!("{self}\n  {line_text}\n  {caret_indent}^")
    }
}

/// Every problem in `errors` as one engine error (`InvalidInput`), for callers that report
/// through [`crate::Error`], such as a reload refused by the engine.
pub fn rules_error(errors: &[RuleError]) -> crate::Error {
    crate::Error::InvalidRules { errors: errors.to_vec() }
}

/// Problems found so far, by byte offset, turned into lines and columns at the end.
#[derive(Default)]
pub(crate) struct Problems {
    found: Vec<(usize, String)>,
}

impl Problems {
    pub(crate) fn at(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.found.push((span.start, message.into()));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    /// The problems in file order (ties keep the order they were found in).
    pub(crate) fn into_errors(mut self, text: &str) -> Vec<RuleError> {
        self.found.sort_by_key(|&(offset, _)| offset);
        let positions = Positions::new(text);
        self.found
            .into_iter()
            .map(|(offset, message)| {
                let (line, column) = positions.locate(offset);
                RuleError { line, column, message }
            })
            .collect()
    }
}

/// Turns byte offsets into 1-based lines and columns.
pub(crate) struct Positions<'t> {
    text: &'t str,
    /// Byte offset where each line starts; found once so that many errors cost one pass.
    line_starts: Vec<usize>,
}

impl<'t> Positions<'t> {
    pub(crate) fn new(text: &'t str) -> Positions<'t> {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(offset, _)| offset + 1));
        Positions { text, line_starts }
    }

    /// The line and column of the character at byte `offset` (an offset past the end, or inside
    /// a character, is moved back to the nearest character start).
    pub(crate) fn locate(&self, offset: usize) -> (usize, usize) {
        let offset = self.text.floor_char_boundary(offset);
        let line_index = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let line_start = self.line_starts[line_index];
        let column = self.text[line_start..offset].chars().count() + 1;
        (line_index + 1, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "a = 1\nname = \"天猫大单\" x\n\nlast";
        let positions = Positions::new(text);
        assert_eq!(positions.locate(0), (1, 1));
        assert_eq!(positions.locate(4), (1, 5));
        // The newline itself belongs to the line it ends.
        assert_eq!(positions.locate(5), (1, 6));
        let x = text.find(" x").unwrap() + 1;
        assert_eq!(positions.locate(x), (2, 15));
        assert_eq!(positions.locate(text.find("last").unwrap()), (4, 1));
        // Past the end: the end.
        assert_eq!(positions.locate(text.len() + 10), (4, 5));
        // Inside a character: that character.
        let inside = text.find('天').unwrap() + 1;
        assert_eq!(positions.locate(inside), (2, 9));
    }

    #[test]
    fn problems_come_out_in_file_order() {
        let text = "one\ntwo\nthree\n";
        let mut problems = Problems::default();
        problems.at(8..13, "third");
        problems.at(0..3, "first");
        problems.at(4..7, "second");
        problems.at(4..5, "second again");
        let errors = problems.into_errors(text);
        let found: Vec<(usize, usize, &str)> = errors.iter().map(|e| (e.line, e.column, e.message.as_str())).collect();
        assert_eq!(found, [(1, 1, "first"), (2, 1, "second"), (2, 1, "second again"), (3, 1, "third")]);
    }

    #[test]
    fn displays_line_column_message_and_a_snippet() {
        let error = RuleError { line: 2, column: 8, message: "bad".into() };
        assert_eq!(error.to_string(), "line 2, column 8: bad");
        assert_eq!(error.snippet("x = 1\npath = \"autoo\"\n"), "line 2, column 8: bad\n  path = \"autoo\"\n         ^");
        let combined = rules_error(&[error.clone(), error]);
        assert_eq!(combined.code(), crate::ErrorCode::InvalidRules);
        assert!(combined.to_string().contains("2 problem(s): line 2, column 8: bad; line 2, column 8: bad"));
    }
}
