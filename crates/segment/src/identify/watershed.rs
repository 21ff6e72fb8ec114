//! `skimage.segmentation.watershed(image, markers, connectivity=ones((3, 3)), mask=mask)` as
//! scikit-image 0.18 runs it (`_watershed_cy.watershed_raveled`, no compactness, no lines):
//! pixels flood in order of (value, age), a pixel takes its label when it is pushed, markers
//! enter the heap with age 0 in raster order.

use ndarray::Array2;

use super::heap::CpHeap;

#[derive(Clone, Copy)]
struct Item {
    value: f64,
    age: i32,
    index: usize,
}

/// Floods `markers` (non-zero = seed label) over `image` inside `mask`.
#[must_use]
pub fn watershed(image: &Array2<f64>, markers: &Array2<i32>, mask: &Array2<bool>) -> Array2<i32> {
    let (h, w) = image.dim();
    let pw = w + 2;
    // Padded by one pixel of "outside mask", as scikit-image pads.
    let mut inside = vec![false; (h + 2) * pw];
    let mut values = vec![0.0f64; (h + 2) * pw];
    let mut output = vec![0i32; (h + 2) * pw];
    for ((y, x), &m) in mask.indexed_iter() {
        let k = (y + 1) * pw + x + 1;
        inside[k] = m;
        values[k] = image[[y, x]];
        output[k] = if m { markers[[y, x]] } else { 0 };
    }
    let pw = pw as isize;
    // `_offsets_to_raveled_neighbors`: edge neighbours first, then corners.
    let offsets = [-pw, -1, 1, pw, -pw - 1, -pw + 1, pw - 1, pw + 1];
    let less = |a: &Item, b: &Item| {
        if a.value == b.value {
            a.age < b.age
        } else {
            a.value < b.value
        }
    };
    let mut heap = CpHeap::from_unordered(Vec::new(), less);
    for (index, &label) in output.iter().enumerate() {
        if label != 0 {
            heap.push(Item {
                value: values[index],
                age: 0,
                index,
            });
        }
    }
    let mut age: i32 = 1;
    while let Some(elem) = heap.pop() {
        for off in offsets {
            let n = (elem.index as isize + off) as usize;
            if !inside[n] || output[n] != 0 {
                continue;
            }
            age = age.wrapping_add(1);
            output[n] = output[elem.index];
            heap.push(Item {
                value: values[n],
                age,
                index: n,
            });
        }
    }
    Array2::from_shape_fn((h, w), |(y, x)| output[(y + 1) * pw as usize + x + 1])
}
