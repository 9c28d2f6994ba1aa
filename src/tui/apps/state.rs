//! The apps view's own state: where its cursor is and what the bundle directory said.

use super::catalog::AppCatalog;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppsView {
    /// Index into the view's rows ([`super::rows::lines`]).
    pub cursor: usize,
    /// First row on screen.
    pub offset: usize,
    pub catalog: AppCatalog,
}
