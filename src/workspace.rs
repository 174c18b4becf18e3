//! Package discovery.
