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

    pub(crate) fn push(&mut self, item: T) {
        self.items.push(item);
        let mut child = self.items.len() - 1;
        while child > 0 {
            let parent = (child - 1) / 2;
            if (self.less)(&self.items[child], &self.items[parent]) {
                self.items.swap(parent, child);
                child = parent;
            } else {
                break;
            }
        }
    }

    pub(crate) fn pop(&mut self) -> Option<T> {
        let n = self.items.len();
        if n == 0 {
            return None;
        }
        self.items.swap(0, n - 1);
        let top = self.items.pop();
        let len = self.items.len();
        let mut i = 0;
        loop {
            let (l, r) = (2 * i + 1, 2 * i + 2);
            if l >= len {
                break;
            }
            let mut smallest = i;
            if (self.less)(&self.items[l], &self.items[i]) {
                smallest = l;
            }
            if r < len && (self.less)(&self.items[r], &self.items[smallest]) {
                smallest = r;
            }
            if smallest == i {
                break;
            }
            self.items.swap(i, smallest);
            i = smallest;
        }
        top
    }
}
