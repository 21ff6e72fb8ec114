//! Per-thread reuse of the filter bank's intermediate planes.
//!
//! A (scale, channel) task of a 256-pixel tile allocates about 35 planes of 0.3-0.5 MB. Freed
//! and allocated afresh, they can come back from the allocator as new pages, which the kernel
//! zeroes: in a profile of `predict` (1000x1000x12, 480 features) zeroing new pages was the
//! largest item, 25% of the samples. Planes handed back with [`recycle`] are reused by the
//! next [`overwritten`] on the same thread instead; the pool holds at most [`MAX_POOLED`] planes.

use std::cell::RefCell;

use ndarray::Array2;

/// Planes kept per thread at most (a task has fewer alive at once).
const MAX_POOLED: usize = 64;

thread_local! {
    static POOL32: RefCell<Vec<Vec<f32>>> = const { RefCell::new(Vec::new()) };
    static POOL64: RefCell<Vec<Vec<f64>>> = const { RefCell::new(Vec::new()) };
}

/// A value type with a per-thread pool of buffers.
pub trait Pooled: Copy + Default + 'static {
    /// Runs `f` on this thread's pool of buffers of `Self`.
    fn with_pool<R>(f: impl FnOnce(&mut Vec<Vec<Self>>) -> R) -> R;
}

impl Pooled for f32 {
    fn with_pool<R>(f: impl FnOnce(&mut Vec<Vec<Self>>) -> R) -> R {
        POOL32.with(|p| f(&mut p.borrow_mut()))
    }
}

impl Pooled for f64 {
    fn with_pool<R>(f: impl FnOnce(&mut Vec<Vec<Self>>) -> R) -> R {
        POOL64.with(|p| f(&mut p.borrow_mut()))
    }
}

/// An (h, w) plane of arbitrary (initialised) values, for a caller that writes every value:
/// a recycled buffer of this thread when there is one, preferably one already large enough
/// (a smaller one would be reallocated, new pages and all). Not zero-filled: zeroing every
/// reused plane was 5% of a `predict` profile, and every pass overwrites its output whole.
pub fn overwritten<T: Pooled>(h: usize, w: usize) -> Array2<T> {
    let n = h * w;
    let mut v = T::with_pool(|pool| {
        let fits = pool.iter().position(|b| b.capacity() >= n);
        fits.or(pool.len().checked_sub(1))
            .map(|i| pool.swap_remove(i))
    })
    .unwrap_or_default();
    if v.len() >= n {
        v.truncate(n);
    } else {
        v.resize(n, T::default());
    }
    Array2::from_shape_vec((h, w), v)
        .unwrap_or_else(|e| unreachable!("the buffer holds h * w values: {e}"))
}

/// Hands `planes` back for reuse by [`overwritten`] on this thread.
pub fn recycle<T: Pooled>(planes: impl IntoIterator<Item = Array2<T>>) {
    T::with_pool(|pool| {
        for plane in planes {
            if pool.len() < MAX_POOLED {
                pool.push(plane.into_raw_vec_and_offset().0);
            }
        }
    });
}
