//! Per-thread reuse of the filter bank's intermediate planes.
//!
//! A (scale, channel) task of a 256-pixel tile allocates about 35 planes of 0.3-0.5 MB. Freed
//! and allocated afresh, they can come back from the allocator as new pages, which the kernel
//! zeroes: in a profile of `predict` (1000x1000x12, 480 features) zeroing new pages was the
//! largest item, 25% of the samples. Planes handed back with [`recycle`] are reused by the
//! next [`zeros`] on the same thread instead; the pool holds at most [`MAX_POOLED`] planes.

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

/// A zero-filled (h, w) plane, reusing a recycled buffer of this thread when there is one.
pub fn zeros<T: Pooled>(h: usize, w: usize) -> Array2<T> {
    let mut v = T::with_pool(Vec::pop).unwrap_or_default();
    v.clear();
    v.resize(h * w, T::default());
    Array2::from_shape_vec((h, w), v)
        .unwrap_or_else(|e| unreachable!("the buffer holds h * w values: {e}"))
}

/// Hands `planes` back for reuse by [`zeros`] on this thread.
pub fn recycle<T: Pooled>(planes: impl IntoIterator<Item = Array2<T>>) {
    T::with_pool(|pool| {
        for plane in planes {
            if pool.len() < MAX_POOLED {
                pool.push(plane.into_raw_vec_and_offset().0);
            }
        }
    });
}
