//! Symlinks in a release tree, checked once the whole tarball has been read: a link is only
//! safe if following it — through any other links in the tree — stays inside `go/`, and no
//! entry may sit beneath a link (extraction would write through it).

use std::collections::{HashMap, VecDeque};

use super::error::EntryProblem;

/// More hops than this is a loop (Linux gives up after 40 too).
const MAX_HOPS: usize = 40;

#[derive(Debug, Default)]
pub struct TreeLinks {
    /// Normalized link path → raw target as stored in the tarball.
    links: HashMap<String, String>,
}

impl TreeLinks {
    pub fn add(&mut self, path: String, target: String) {
        self.links.insert(path, target);
    }

    pub fn is_empty(&self) -> bool {
        self.links.is_empty()
    }

    /// The first link that does not resolve inside `go/`, with why. Sorted for a stable report.
    pub fn first_escape(&self) -> Option<(String, EntryProblem)> {
        let mut paths: Vec<&String> = self.links.keys().collect();
        paths.sort();
        paths
            .into_iter()
            .find_map(|path| self.check(path).err().map(|p| (path.clone(), p)))
    }

    /// A link that `path` lies beneath, if any.
    pub fn ancestor_link(&self, path: &str) -> Option<String> {
        let mut end = 0;
        while let Some(slash) = path[end..].find('/') {
            end += slash;
            if self.links.contains_key(&path[..end]) {
                return Some(path[..end].to_string());
            }
            end += 1;
        }
        None
    }

    fn check(&self, path: &str) -> Result<(), EntryProblem> {
        let target = self.links.get(path).cloned().unwrap_or_default();
        let escapes = || EntryProblem::SymlinkEscapes {
            target: target.clone(),
        };
        if path == "go" {
            return Err(EntryProblem::TopIsNotDirectory);
        }
        if target.starts_with('/') {
            return Err(escapes());
        }
        // Walk the target from the link's directory, splicing in the targets of links met on
        // the way, exactly as the kernel would after extraction.
        let mut resolved: Vec<String> = path.split('/').map(str::to_string).collect();
        resolved.pop();
        let mut pending: VecDeque<String> = target.split('/').map(str::to_string).collect();
        let mut hops = 0;
        while let Some(part) = pending.pop_front() {
            match part.as_str() {
                "" | "." => {}
                ".." => {
                    if resolved.len() <= 1 {
                        return Err(escapes());
                    }
                    resolved.pop();
                }
                _ => {
                    resolved.push(part);
                    if let Some(next) = self.links.get(&resolved.join("/")) {
                        hops += 1;
                        if hops > MAX_HOPS {
                            return Err(EntryProblem::SymlinkLoop {
                                target: target.clone(),
                            });
                        }
                        if next.starts_with('/') {
                            return Err(escapes());
                        }
                        resolved.pop();
                        for p in next.split('/').rev() {
                            pending.push_front(p.to_string());
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(links: &[(&str, &str)]) -> TreeLinks {
        let mut t = TreeLinks::default();
        for (p, target) in links {
            t.add(p.to_string(), target.to_string());
        }
        t
    }

    #[test]
    fn links_inside_the_tree_are_fine() {
        let t = tree(&[
            ("go/bin/gofmt2", "gofmt"),
            ("go/misc/lib", "../lib/time"),
            ("go/x", "."),
            ("go/a/b", "../bin"),
        ]);
        assert_eq!(t.first_escape(), None);
    }

    #[test]
    fn links_leaving_the_tree_are_refused() {
        for (path, target) in [
            ("go/x", ".."),
            ("go/bin/sh", "/bin/sh"),
            ("go/a/b", "../../../etc"),
        ] {
            let t = tree(&[(path, target)]);
            let (p, problem) = t.first_escape().unwrap();
            assert_eq!(p, path);
            assert!(
                matches!(problem, EntryProblem::SymlinkEscapes { .. }),
                "{path} -> {target}"
            );
        }
    }

    #[test]
    fn escapes_through_other_links_are_caught() {
        // Lexically go/d -> x/../q is go/q, but go/x is go/ itself, so go/d is really /q.
        let t = tree(&[("go/x", "."), ("go/d", "x/../q")]);
        assert_eq!(t.first_escape().map(|(p, _)| p).as_deref(), Some("go/d"));
        let t = tree(&[("go/a", "b"), ("go/b", "a")]);
        assert!(matches!(
            t.first_escape(),
            Some((_, EntryProblem::SymlinkLoop { .. }))
        ));
    }

    #[test]
    fn entries_beneath_a_link_are_found() {
        let t = tree(&[("go/lib", "../x")]);
        assert_eq!(t.ancestor_link("go/lib/evil").as_deref(), Some("go/lib"));
        assert_eq!(t.ancestor_link("go/library/ok"), None);
        assert_eq!(t.ancestor_link("go/lib"), None);
    }
}
