//! Per-cell measurements: intensities, region properties, neighbours.
