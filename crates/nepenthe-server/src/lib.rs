//! nepenthe-server
