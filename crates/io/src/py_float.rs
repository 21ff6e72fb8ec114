//! Floats written as pandas writes them (`DataFrame.to_csv`, numpy's `str` of float64 and
//! float32): the shortest digits that read back to the same value, in fixed notation for
//! magnitudes in [1e-4, 1e16) with at least one decimal (`4.0`), otherwise scientific with a
//! signed exponent of at least two digits (`5e-05`, `1.5e+16`); NaN as an empty cell (pandas'
//! `na_rep`). Writing steinbock's tables digit for digit lets a diff against its files show
//! real differences only.

/// `x` as pandas writes a float64.
#[must_use]
pub fn py_repr_f64(x: f64) -> String {
    if x.is_nan() {
        return String::new();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    from_exponential(&format!("{x:e}"))
}

/// `x` as pandas writes a float32 (its own shortest digits, not those of the widened float64).
#[must_use]
pub fn py_repr_f32(x: f32) -> String {
    if x.is_nan() || x.is_infinite() {
        return py_repr_f64(f64::from(x));
    }
    from_exponential(&format!("{x:e}"))
}

/// Rewrites Rust's shortest `LowerExp` form (`-2.5e-7`, `4e0`) in Python's `repr` layout.
fn from_exponential(s: &str) -> String {
    let (mantissa, exp) = s.split_once('e').unwrap_or((s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if (-4..16).contains(&exp) {
        let point = exp + 1; // digits before the decimal point
        let body = if point <= 0 {
            format!("0.{}{digits}", "0".repeat((-point) as usize))
        } else if point as usize >= digits.len() {
            format!("{digits}{}.0", "0".repeat(point as usize - digits.len()))
        } else {
            let (int, frac) = digits.split_at(point as usize);
            format!("{int}.{frac}")
        };
        format!("{sign}{body}")
    } else {
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{mantissa}e{esign}{:02}", exp.abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each pair is `repr(float(x))` / `str(np.float32(x))` as Python 3.11 + numpy print it.
    #[test]
    fn floats_read_as_python_prints_them() {
        let cases64 = [
            (2.652173913043478, "2.652173913043478"),
            (4.0, "4.0"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (5e-05, "5e-05"),
            (0.0001, "0.0001"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (123456789012345.6, "123456789012345.6"),
            (-0.08223182222117549, "-0.08223182222117549"),
            (1e300, "1e+300"),
            (f64::NAN, ""),
        ];
        for (x, want) in cases64 {
            assert_eq!(py_repr_f64(x), want, "{x}");
        }
        let cases32 = [
            (std::f32::consts::SQRT_2, "1.4142135"),
            (3.0f32, "3.0"),
            (2.236068f32, "2.236068"),
            (1e-5f32, "1e-05"),
        ];
        for (x, want) in cases32 {
            assert_eq!(py_repr_f32(x), want, "{x}");
        }
    }
}
