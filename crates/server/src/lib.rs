//! The browser labeling UI: an HTTP server on loopback serving the page, image tiles, labels,
//! training and prediction overlays for a project folder. Calls `pipeline` for all computation.
