//! Column-chunked work on tall matrices: columns gathered a chunk at a time in one sweep over the
//! rows, worked on in parallel, and scattered back (fit, normalise and rank of [`Scorer`](super::Scorer)).

use super::*;

/// How many columns are worked on at once: at least 8 (a cache line of a row), two per thread on
/// bigger machines; scratch stays a chunk's worth of columns.
pub(super) fn column_chunk() -> usize {
    (2 * rayon::current_num_threads()).max(8)
}

/// Columns `cols` of `m` as contiguous vectors, read in one sweep over the rows (rather than one
/// strided pass per column, which misses the cache on every element of a tall matrix).
pub(super) fn gather_columns(m: ArrayView2<'_, f64>, cols: &[usize]) -> Vec<Vec<f64>> {
    let mut out: Vec<Vec<f64>> = cols.iter().map(|_| Vec::with_capacity(m.nrows())).collect();
    for row in m.rows() {
        for (o, &c) in out.iter_mut().zip(cols) {
            o.push(row[c]);
        }
    }
    out
}

/// Write `cols[j]` into column `k0 + j` of `m`, in one sweep over the rows.
pub(super) fn scatter_columns(m: &mut Array2<f64>, k0: usize, cols: &[ArrayView1<'_, f64>]) {
    for (u, mut row) in m.rows_mut().into_iter().enumerate() {
        for (j, c) in cols.iter().enumerate() {
            row[k0 + j] = c[u];
        }
    }
}

/// `f(k, column cols[k] of m)` for every `k`, a chunk of columns at a time: the chunk is gathered
/// row by row, its columns are worked on in parallel, and `sink(first k of the chunk, results in
/// order)` takes the results; the first error of `sink` stops.
pub(super) fn for_column_chunks<R: Send>(
    m: ArrayView2<'_, f64>,
    cols: &[usize],
    f: impl Fn(usize, &[f64]) -> R + Sync + Send,
    mut sink: impl FnMut(usize, Vec<R>) -> Result<()>,
) -> Result<()> {
    let chunk = column_chunk();
    let mut k0 = 0;
    while k0 < cols.len() {
        let k1 = (k0 + chunk).min(cols.len());
        let block = gather_columns(m, &cols[k0..k1]);
        let rs: Vec<R> = block
            .par_iter()
            .enumerate()
            .map(|(j, c)| f(k0 + j, c))
            .collect();
        drop(block);
        sink(k0, rs)?;
        k0 = k1;
    }
    Ok(())
}

/// The ranks of every column of `values` (columns ranked in parallel, a chunk at a time so that
/// the scratch stays small).
pub(super) fn rank_columns(values: &Array2<f64>, ties: TieRule) -> Array2<f64> {
    let mut ranks = Array2::from_elem(values.raw_dim(), f64::NAN);
    let cols: Vec<usize> = (0..values.ncols()).collect();
    let done = for_column_chunks(
        values.view(),
        &cols,
        |_, c| rank_desc(c, ties),
        |k0, rs| {
            let views: Vec<ArrayView1<'_, f64>> =
                rs.iter().map(|r| ArrayView1::from(r.as_slice())).collect();
            scatter_columns(&mut ranks, k0, &views);
            Ok(())
        },
    );
    debug_assert!(done.is_ok(), "ranking has no error to report");
    ranks
}
