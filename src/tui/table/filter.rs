//! The host filter: `/text` keeps hosts whose name, address, Go version or error contains
//! `text` (any case); `/!text` keeps the others.

use crate::tui::state::row::HostRow;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    needle: String,
    invert: bool,
}

impl Filter {
    pub fn parse(text: &str) -> Self {
        match text.strip_prefix('!') {
            Some(rest) => Self {
                needle: rest.to_lowercase(),
                invert: true,
            },
            None => Self {
                needle: text.to_lowercase(),
                invert: false,
            },
        }
    }

    /// An empty filter (or a lone `!`) keeps every host.
    pub fn is_empty(&self) -> bool {
        self.needle.is_empty()
    }

    pub fn matches(&self, row: &HostRow) -> bool {
        self.is_empty() || row.haystack.contains(&self.needle) != self.invert
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::sample;

    #[test]
    fn matches_any_field_in_any_case_and_inverts() {
        let rows = sample::mixed_rows();
        let names = |f: &Filter| -> Vec<String> {
            rows.iter()
                .filter(|r| f.matches(r))
                .map(|r| r.name.clone())
                .collect()
        };
        let timeout = Filter::parse("TIMEOUT");
        assert_eq!(names(&timeout), ["db-02"]);
        let not_web = Filter::parse("!web-");
        assert!(names(&not_web).iter().all(|n| !n.starts_with("web-")));
        assert!(!names(&not_web).is_empty());
        assert_eq!(names(&Filter::parse("!")).len(), rows.len());
        assert_eq!(names(&Filter::parse("10.0.3.12")), ["web-02"]);
        assert!(names(&Filter::parse("go1.21"))
            .iter()
            .all(|n| n != "web-01"));
    }
}
