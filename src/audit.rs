//! Statistical audit: correlations, Cronbach's alpha, PCA variance, flags.
