//! CellProfiler identification algorithms (thresholds, primary objects, propagation).
