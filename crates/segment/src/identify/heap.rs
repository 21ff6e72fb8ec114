//! The binary heap CellProfiler's C loops share (centrosome `heap.pxd`, scikit-image
//! `heap_general.pxi`): push sifts up, pop moves the last item to the root and sifts down.
//!
//! Written out instead of `std::collections::BinaryHeap` because the order in which EQUAL
//! items leave the heap decides who wins a tied pixel, and centrosome's propagation starts
//! from an array it never heapifies: only the same sift steps give the same labels.

/// A min-heap ordered by `less`, with CellProfiler's exact push and pop steps.
pub(crate) struct CpHeap<T, F: Fn(&T, &T) -> bool> {
    items: Vec<T>,
    less: F,
}

impl<T: Copy, F: Fn(&T, &T) -> bool> CpHeap<T, F> {
    /// A heap over `items` taken as they are, without heapifying (centrosome's
    /// `heap_from_numpy2`).
    pub(crate) fn from_unordered(items: Vec<T>, less: F) -> Self {
        Self { items, less }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Takes every item out, in no particular order.
    pub(crate) fn drain(&mut self) -> std::vec::Drain<'_, T> {
        self.items.drain(..)
    }

    pub(crate) fn push(&mut self, item: T) {
        // Sift up with a hole: the same comparisons as swapping, fewer moves.
        let mut child = self.items.len();
        self.items.push(item);
        while child > 0 {
            let parent = (child - 1) / 2;
            if (self.less)(&item, &self.items[parent]) {
                self.items[child] = self.items[parent];
                child = parent;
            } else {
                break;
            }
        }
        self.items[child] = item;
    }

    pub(crate) fn pop(&mut self) -> Option<T> {
        let last = self.items.pop()?;
        if self.items.is_empty() {
            return Some(last);
        }
        let top = self.items[0];
        // Sift the former last item down from the root with a hole (same comparisons as
        // centrosome's swaps: left child against it, then right child against the smaller).
        let len = self.items.len();
        let mut i = 0;
        loop {
            let (l, r) = (2 * i + 1, 2 * i + 2);
            if l >= len {
                break;
            }
            let mut smallest = None;
            if (self.less)(&self.items[l], &last) {
                smallest = Some(l);
            }
            let against = smallest.map_or(&last, |k| &self.items[k]);
            if r < len && (self.less)(&self.items[r], against) {
                smallest = Some(r);
            }
            match smallest {
                Some(k) => {
                    self.items[i] = self.items[k];
                    i = k;
                }
                None => break,
            }
        }
        self.items[i] = last;
        Some(top)
    }
}
