//! Data preparation: denomination, imputation, unit screening, outlier treatment, and the pipeline.
