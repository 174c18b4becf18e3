//! `leakgate doctor`: placeholder
