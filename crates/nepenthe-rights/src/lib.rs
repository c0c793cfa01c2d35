//! nepenthe-rights
