//! Weight sweeps: samplers, batched re-scoring, rank histograms, uncertainty and Sobol sensitivity.
