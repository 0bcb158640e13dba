//! Column-chunked work on tall matrices: columns gathered a chunk at a time in one sweep over the
//! rows, worked on in parallel, and scattered back (fit, normalise and rank of [`Scorer`](super::Scorer)).

use super::*;

/// How many columns are worked on at once: at least 8 (a cache line of a row), two per thread on
/// bigger machines; scratch stays a chunk's worth of columns.
pub(super) fn column_chunk() -> usize {
    (2 * rayon::current_num_threads()).max(8)
}

/// Rows below which the column helpers stay on the calling thread. A parallel call from outside the
/// rayon pool hands its work to a pool thread and sleeps until it is done (tens of microseconds);
/// below a few thousand rows a column's work is shorter than that hand-over. ASEM's 51 units
/// scored in 0.20-0.33 ms with parallel calls and 0.12 ms without; 2,000 × 200 in 9-12 ms and
/// 7.2-7.4 ms (`cargo bench --bench score`). Results are the same either way: every column is
/// worked on by itself.
pub(super) const PARALLEL_MIN_ROWS: usize = 4096;

/// Rows per tile of [`gather_columns_into`] and [`scatter_columns`]: a tile of a wide row-major matrix
/// (a few hundred KB at most) stays in cache while its columns are copied out one at a time.
const TILE_ROWS: usize = 512;

/// Columns `cols` of `m` as contiguous vectors (see [`gather_columns_into`]).
#[cfg(test)]
pub(super) fn gather_columns(m: ArrayView2<'_, f64>, cols: &[usize]) -> Vec<Vec<f64>> {
    let mut out = Vec::new();
    gather_columns_into(m, cols, &mut out);
    out
}

/// Columns `cols` of `m` as contiguous vectors in `out`, reusing its vectors (a tall matrix's
/// columns gathered a chunk at a time then touch fresh memory only for the first chunk). Read a
/// tile of rows at a time (rather than one strided pass per column, which misses the cache on
/// every element of a tall matrix): within a tile each column is copied in turn, so every write
/// stream is sequential; the rows are split over the threads.
pub(super) fn gather_columns_into(m: ArrayView2<'_, f64>, cols: &[usize], out: &mut Vec<Vec<f64>>) {
    let n = m.nrows();
    let nc = m.ncols();
    out.truncate(cols.len());
    out.resize_with(cols.len(), Vec::new);
    let Some(flat) = m.as_slice().filter(|_| cols.iter().all(|&c| c < nc)) else {
        for o in out.iter_mut() {
            o.clear();
        }
        for row in m.rows() {
            for (o, &c) in out.iter_mut().zip(cols) {
                o.push(row[c]);
            }
        }
        return;
    };
    for o in out.iter_mut() {
        // every element is written below; only new room is zeroed
        o.resize(n, 0.0);
    }
    // the rows in one range per thread, each range's part of every column written by its thread
    let span = row_span(n);
    let mut parts: Vec<Vec<&mut [f64]>> = (0..n.div_ceil(span)).map(|_| Vec::new()).collect();
    for o in out.iter_mut() {
        for (part, piece) in parts.iter_mut().zip(o.chunks_mut(span)) {
            part.push(piece);
        }
    }
    let copy = |(mut part, rows): (Vec<&mut [f64]>, &[f64])| {
        for (t, tile) in rows.chunks(TILE_ROWS * nc.max(1)).enumerate() {
            let u0 = t * TILE_ROWS;
            for (o, &c) in part.iter_mut().zip(cols) {
                let dst = o.get_mut(u0..).unwrap_or_default();
                for (d, row) in dst.iter_mut().zip(tile.chunks_exact(nc)) {
                    *d = row[c];
                }
            }
        }
    };
    if parts.len() > 1 {
        parts
            .into_par_iter()
            .zip(flat.par_chunks(span * nc.max(1)))
            .for_each(copy);
    } else {
        parts
            .into_iter()
            .zip(flat.chunks(span * nc.max(1)))
            .for_each(copy);
    }
}

/// Rows per thread in [`gather_columns_into`] and [`scatter_columns`]: the rows split evenly over the
/// threads, in whole tiles; all of them (one part, no parallel call) below [`PARALLEL_MIN_ROWS`].
fn row_span(n: usize) -> usize {
    let threads = if n < PARALLEL_MIN_ROWS {
        1
    } else {
        rayon::current_num_threads().max(1)
    };
    n.div_ceil(threads).div_ceil(TILE_ROWS).max(1) * TILE_ROWS
}

/// Write `cols[j]` into column `k0 + j` of `m`, a tile of rows at a time (as [`gather_columns_into`]).
pub(super) fn scatter_columns(m: &mut Array2<f64>, k0: usize, cols: &[ArrayView1<'_, f64>]) {
    let n = m.nrows();
    let nc = m.ncols();
    let fits = k0 + cols.len() <= nc && cols.iter().all(|c| c.len() == n);
    let contiguous: Vec<&[f64]> = cols.iter().filter_map(|c| c.as_slice()).collect();
    match m.as_slice_mut() {
        Some(flat) if fits && contiguous.len() == cols.len() => {
            let span = row_span(n);
            let put = |(p, rows): (usize, &mut [f64])| {
                for (t, tile) in rows.chunks_mut(TILE_ROWS * nc.max(1)).enumerate() {
                    let u0 = p * span + t * TILE_ROWS;
                    for (j, c) in contiguous.iter().enumerate() {
                        let src = c.get(u0..).unwrap_or_default();
                        for (row, &v) in tile.chunks_exact_mut(nc).zip(src) {
                            row[k0 + j] = v;
                        }
                    }
                }
            };
            if n > span {
                flat.par_chunks_mut(span * nc.max(1))
                    .enumerate()
                    .for_each(put);
            } else {
                flat.chunks_mut(span * nc.max(1)).enumerate().for_each(put);
            }
        }
        _ => {
            for (u, mut row) in m.rows_mut().into_iter().enumerate() {
                for (j, c) in cols.iter().enumerate() {
                    row[k0 + j] = c[u];
                }
            }
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
    let mut block = Vec::new();
    while k0 < cols.len() {
        let k1 = (k0 + chunk).min(cols.len());
        gather_columns_into(m, &cols[k0..k1], &mut block);
        let rs: Vec<R> = if m.nrows() >= PARALLEL_MIN_ROWS {
            block
                .par_iter()
                .enumerate()
                .map(|(j, c)| f(k0 + j, c))
                .collect()
        } else {
            block
                .iter()
                .enumerate()
                .map(|(j, c)| f(k0 + j, c))
                .collect()
        };
        sink(k0, rs)?;
        k0 = k1;
    }
    Ok(())
}

/// The ranks of every column of `values` (columns ranked in parallel, a chunk at a time so that
/// the scratch stays small).
pub(super) fn rank_columns(values: &Array2<f64>, ties: TieRule) -> Array2<f64> {
    // every element is written below (zeros: fresh pages, no fill pass)
    let mut ranks = Array2::zeros(values.raw_dim());
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

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::ShapeBuilder;
    use proptest::prelude::*;

    proptest! {
        /// The tiled gather and scatter equal the element-by-element ones, in standard and
        /// column-major layout, for heights that are not multiples of the tile.
        #[test]
        fn tiled_gather_and_scatter_equal_the_plain_ones(
            rows in 0usize..1300,
            ncols in 1usize..12,
            picks in proptest::collection::vec(0usize..12, 1..6),
            fortran in any::<bool>(),
        ) {
            let cols: Vec<usize> = picks.iter().map(|&c| c % ncols).collect();
            let shape = (rows, ncols);
            let m = if fortran {
                Array2::from_shape_fn(shape.f(), |(u, c)| (u * 31 + c) as f64 * 0.5)
            } else {
                Array2::from_shape_fn(shape, |(u, c)| (u * 31 + c) as f64 * 0.5)
            };
            let got = gather_columns(m.view(), &cols);
            // into vectors left from a bigger gather
            let mut reused = vec![vec![7.0; rows + 3]; cols.len() + 2];
            gather_columns_into(m.view(), &cols, &mut reused);
            prop_assert_eq!(&reused, &got);
            for (g, &c) in got.iter().zip(&cols) {
                let want = m.column(c).to_vec();
                prop_assert_eq!(g, &want);
            }
            let k0 = ncols.saturating_sub(cols.len()).min(1);
            let src: Vec<Vec<f64>> = got.iter().map(|g| g.iter().map(|v| -v).collect()).collect();
            let n_put = src.len().min(ncols - k0);
            let views: Vec<ArrayView1<'_, f64>> =
                src.iter().take(n_put).map(|s| ArrayView1::from(s.as_slice())).collect();
            let mut want = m.clone();
            for (j, s) in src.iter().take(n_put).enumerate() {
                for (u, &v) in s.iter().enumerate() {
                    want[[u, k0 + j]] = v;
                }
            }
            let mut put = m.clone();
            scatter_columns(&mut put, k0, &views);
            prop_assert_eq!(put, want);
        }
    }
}
