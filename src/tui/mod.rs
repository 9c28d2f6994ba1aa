//! The console face.
