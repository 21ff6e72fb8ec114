//! numpy's float32 natural logarithm on x86-64, to the bit.
//!
//! Li's threshold takes `np.log` of two float32 means. On x86-64 with AVX2+FMA or AVX512F
//! (every server CPU since 2013, and the machines steinbock's container runs on), numpy does
//! not call the C library's `logf` but its own vector kernel (numpy `loops_exponent_log`,
//! "Vectorized implementation of log using AVX2 and AVX512"): the float is split into a
//! mantissa in `[1/sqrt 2, sqrt 2)` and a power of two, `log(1 + x)` is a ratio of two
//! degree-5 polynomials evaluated with fused multiply-adds, and `e * ln 2` is added with one
//! more. It is up to 3.8 ulp from the true value, so a correctly rounded `ln` gives another
//! last bit about one time in ten, which moved Li's threshold by one float32 step on a test
//! input. Measured: bit-identical to numpy 1.23.5 and 2.4.6's `np.log` on 2 million float32
//! values (AVX512F machine).

/// Remez coefficients of the numerator `P(x)`, lowest degree first (numpy's
/// `NPY_COEFF_P*_LOGf`, written as numpy writes them; they round to float32).
#[allow(clippy::excessive_precision)]
const P: [f32; 6] = [
    0.0,
    0.999_999_999_999_999_870_275_2,
    2.112_677_543_073_053_063_722,
    1.480_000_633_576_506_585_156,
    0.380_883_774_138_840_792_075_1,
    0.025_899_791_179_079_226_935_23,
];
/// Denominator `Q(x)` coefficients (`NPY_COEFF_Q*_LOGf`).
#[allow(clippy::excessive_precision)]
const Q: [f32; 6] = [
    1.0,
    2.612_677_543_073_109_236_779,
    2.453_006_071_784_736_363_091,
    0.986_494_295_851_941_896_033_9,
    0.154_647_637_498_390_671_953_8,
    0.005_875_095_403_124_574_342_950,
];

/// `np.log` of a float32 as numpy's AVX2/AVX512F kernel computes it.
pub(crate) fn log_f32(x: f32) -> f32 {
    if x.is_nan() {
        return f32::NAN;
    }
    if x < 0.0 {
        return -f32::NAN;
    }
    if x == 0.0 {
        return f32::NEG_INFINITY;
    }
    if x == f32::INFINITY {
        return f32::INFINITY;
    }
    // Denormals are scaled by 2^100 first, their exponent lowered by 100.
    let (scaled, shift) = if x < f32::MIN_POSITIVE {
        (x * f32::from_bits(0x7180_0000), 100.0)
    } else {
        (x, 0.0)
    };
    let bits = scaled.to_bits();
    // Mantissa in [0.5, 1) and its power of two.
    let mut exponent = ((bits >> 23) as i32 - 126) as f32 - shift;
    let mut m = f32::from_bits((bits & 0x007F_FFFF) | (126 << 23));
    if m <= std::f32::consts::FRAC_1_SQRT_2 {
        m += m;
        exponent -= 1.0;
    }
    let y = m - 1.0;
    let horner = |c: &[f32; 6]| c[..5].iter().rev().fold(c[5], |acc, &k| acc.mul_add(y, k));
    let poly = horner(&P) / horner(&Q);
    exponent.mul_add(std::f32::consts::LN_2, poly)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_numpy_gives() {
        // np.log(np.float32(v)) with numpy 1.23.5 / 2.4.6 on x86-64 (AVX512F):
        // 0.20343195 -> -1.5924238 (a correctly rounded log gives -1.5924237).
        let cases = [
            (0.203_431_95_f32, -1.592_423_8_f32),
            (0.714_805_2, -0.335_745_25),
            (1.0, 0.0),
            (2.0, std::f32::consts::LN_2),
        ];
        for (x, want) in cases {
            assert_eq!(log_f32(x).to_bits(), want.to_bits(), "log({x})");
        }
        assert_ne!(log_f32(0.203_431_95), (0.203_431_95_f64.ln()) as f32);
    }

    #[test]
    fn special_values_follow_numpy() {
        assert_eq!(log_f32(0.0), f32::NEG_INFINITY);
        assert_eq!(log_f32(f32::INFINITY), f32::INFINITY);
        assert!(log_f32(-1.0).is_nan());
        assert!(log_f32(f32::NAN).is_nan());
        // A denormal: 2^-140.
        let tiny = f32::from_bits(0x0000_0200);
        assert!((log_f32(tiny) - (-140.0 * std::f32::consts::LN_2)).abs() < 1e-4);
    }
}
