//! "Do these two outputs agree?" for the types the course's implementations return.
//!
//! Floats agree like NumPy's `np.allclose(a, b)`: `|a - b| <= atol + rtol * |b|`, with NumPy's defaults
//! (`rtol = 1e-5`, `atol = 1e-8`). NaN agrees with nothing, as in `allclose` without `equal_nan`.
//! Integers, booleans and strings must be equal. Containers must have the same shape, then agree element by element.

use ndarray::{ArrayBase, Data, Dimension};
use std::fmt::Display;

/// How close two floats must be to count as the same result (NumPy's `allclose` rule).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerance {
    /// relative tolerance, scaled by the reference value
    pub rtol: f64,
    /// absolute tolerance, for values near zero
    pub atol: f64,
}

impl Default for Tolerance {
    /// NumPy's defaults: `rtol = 1e-5`, `atol = 1e-8`.
    fn default() -> Self {
        Tolerance { rtol: 1e-5, atol: 1e-8 }
    }
}

impl Tolerance {
    /// Exact equality for floats too.
    pub const EXACT: Tolerance = Tolerance { rtol: 0.0, atol: 0.0 };

    /// A tolerance with the given relative and absolute parts.
    pub fn new(rtol: f64, atol: f64) -> Self {
        Tolerance { rtol, atol }
    }

    /// Whether `value` is close enough to `reference`.
    pub fn close(&self, value: f64, reference: f64) -> bool {
        if value == reference {
            return true; // also equal infinities
        }
        // An infinity is close only to itself (its tolerance would be infinite too); NaN fails every comparison.
        value.is_finite() && reference.is_finite() && (value - reference).abs() <= self.atol + self.rtol * reference.abs()
    }
}

/// Outputs that can be checked against a reference output.
pub trait Agree {
    /// `Ok(())` when `self` matches `reference` within `tol`, else where and how they differ.
    fn agree(&self, reference: &Self, tol: Tolerance) -> Result<(), String>;
}

macro_rules! agree_float {
    ($($t:ty),*) => {$(
        impl Agree for $t {
            fn agree(&self, reference: &Self, tol: Tolerance) -> Result<(), String> {
                if tol.close(f64::from(*self), f64::from(*reference)) {
                    Ok(())
                } else {
                    Err(format!("{self} vs {reference}"))
                }
            }
        }
    )*};
}
agree_float!(f32, f64);

macro_rules! agree_exact {
    ($($t:ty),*) => {$(
        impl Agree for $t {
            fn agree(&self, reference: &Self, _tol: Tolerance) -> Result<(), String> {
                if self == reference { Ok(()) } else { Err(format!("{self:?} vs {reference:?}")) }
            }
        }
    )*};
}
agree_exact!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, bool, char, String, &str, ());

/// Compares two sequences of equal length element by element, naming the first element that differs.
fn agree_elements<'a, T: Agree + 'a, L: Display>(
    pairs: impl Iterator<Item = (L, &'a T, &'a T)>,
    tol: Tolerance,
) -> Result<(), String> {
    for (label, value, reference) in pairs {
        value.agree(reference, tol).map_err(|e| format!("element {label}: {e}"))?;
    }
    Ok(())
}

impl<T: Agree> Agree for [T] {
    fn agree(&self, reference: &Self, tol: Tolerance) -> Result<(), String> {
        if self.len() != reference.len() {
            return Err(format!("length {} vs {}", self.len(), reference.len()));
        }
        agree_elements(self.iter().zip(reference).enumerate().map(|(i, (a, b))| (i, a, b)), tol)
    }
}

impl<T: Agree> Agree for Vec<T> {
    fn agree(&self, reference: &Self, tol: Tolerance) -> Result<(), String> {
        self.as_slice().agree(reference.as_slice(), tol)
    }
}

impl<T: Agree, const N: usize> Agree for [T; N] {
    fn agree(&self, reference: &Self, tol: Tolerance) -> Result<(), String> {
        self.as_slice().agree(reference.as_slice(), tol)
    }
}

impl<A: Agree, B: Agree> Agree for (A, B) {
    fn agree(&self, reference: &Self, tol: Tolerance) -> Result<(), String> {
        self.0.agree(&reference.0, tol).map_err(|e| format!("field 0: {e}"))?;
        self.1.agree(&reference.1, tol).map_err(|e| format!("field 1: {e}"))
    }
}

impl<T: Agree> Agree for Option<T> {
    fn agree(&self, reference: &Self, tol: Tolerance) -> Result<(), String> {
        match (self, reference) {
            (Some(a), Some(b)) => a.agree(b, tol),
            (None, None) => Ok(()),
            (a, b) => Err(format!("{} vs {}", some_or_none(a), some_or_none(b))),
        }
    }
}

/// Shared outputs (e.g. a buffer an implementation reuses between calls) agree when their contents do.
impl<T: Agree + ?Sized> Agree for std::sync::Arc<T> {
    fn agree(&self, reference: &Self, tol: Tolerance) -> Result<(), String> {
        (**self).agree(&**reference, tol)
    }
}

/// Results agree when both are `Ok` and agree, or both are equal errors.
impl<T: Agree, E: PartialEq + std::fmt::Debug> Agree for Result<T, E> {
    fn agree(&self, reference: &Self, tol: Tolerance) -> Result<(), String> {
        match (self, reference) {
            (Ok(a), Ok(b)) => a.agree(b, tol),
            (Err(a), Err(b)) if a == b => Ok(()),
            (a, b) => Err(format!("{} vs {}", ok_or_err(a), ok_or_err(b))),
        }
    }
}

fn ok_or_err<T, E: std::fmt::Debug>(r: &Result<T, E>) -> String {
    match r {
        Ok(_) => "Ok(..)".into(),
        Err(e) => format!("Err({e:?})"),
    }
}

fn some_or_none<T>(o: &Option<T>) -> &'static str {
    if o.is_some() { "Some(..)" } else { "None" }
}

/// Arrays agree when their shapes are equal and every element agrees; memory layout does not matter.
impl<A, S, D> Agree for ArrayBase<S, D>
where
    A: Agree,
    S: Data<Elem = A>,
    D: Dimension,
{
    fn agree(&self, reference: &Self, tol: Tolerance) -> Result<(), String> {
        if self.shape() != reference.shape() {
            return Err(format!("shape {:?} vs {:?}", self.shape(), reference.shape()));
        }
        agree_elements(
            self.indexed_iter()
                .zip(reference.iter())
                .map(|((index, a), b)| (format!("{index:?}"), a, b)),
            tol,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, ShapeBuilder, array};

    #[test]
    fn floats_follow_numpy_allclose() {
        let tol = Tolerance::default();
        assert!(1.0f64.agree(&(1.0 + 0.9e-5), tol).is_ok());
        assert!(1.0f64.agree(&(1.0 + 2e-5), tol).is_err());
        assert!(0.0f64.agree(&5e-9, tol).is_ok(), "atol covers values near zero");
        assert!(f64::NAN.agree(&f64::NAN, tol).is_err(), "NaN agrees with nothing");
        assert!(f64::INFINITY.agree(&f64::INFINITY, tol).is_ok());
        assert!(f64::INFINITY.agree(&f64::NEG_INFINITY, tol).is_err());
        assert!(1.0f32.agree(&1.000001, Tolerance::EXACT).is_err());
    }

    #[test]
    fn integers_must_be_equal() {
        assert!(3u32.agree(&3, Tolerance::new(1.0, 1.0)).is_ok());
        assert_eq!(3u32.agree(&4, Tolerance::new(1.0, 1.0)), Err("3 vs 4".into()));
    }

    #[test]
    fn vectors_name_the_first_differing_element() {
        let err = vec![1.0, 2.0, 3.0].agree(&vec![1.0, 2.5, 3.5], Tolerance::default()).unwrap_err();
        assert_eq!(err, "element 1: 2 vs 2.5");
        assert_eq!(vec![1, 2].agree(&vec![1, 2, 3], Tolerance::default()), Err("length 2 vs 3".into()));
    }

    #[test]
    fn arrays_compare_shape_then_elements_whatever_the_layout() {
        let c = array![[1.0, 2.0], [3.0, 4.0]];
        let mut f = Array2::<f64>::zeros((2, 2).f());
        f.assign(&c);
        assert!(f.agree(&c, Tolerance::EXACT).is_ok(), "Fortran order holds the same values");
        let err = c.t().to_owned().agree(&c, Tolerance::EXACT).unwrap_err();
        assert_eq!(err, "element (0, 1): 3 vs 2");
        let err = array![1.0, 2.0].agree(&array![1.0, 2.0, 3.0], Tolerance::default()).unwrap_err();
        assert_eq!(err, "shape [2] vs [3]");
    }

    #[test]
    fn tuples_and_options() {
        assert!((1usize, 2.0f64).agree(&(1, 2.0), Tolerance::default()).is_ok());
        assert_eq!((1usize, 2.0f64).agree(&(2, 2.0), Tolerance::default()), Err("field 0: 1 vs 2".into()));
        assert_eq!(Some(1).agree(&None, Tolerance::default()), Err("Some(..) vs None".into()));
        let (ok, err): (Result<u8, &str>, Result<u8, &str>) = (Ok(1), Err("bad shape"));
        assert!(ok.agree(&Ok(1), Tolerance::default()).is_ok());
        assert!(err.agree(&Err("bad shape"), Tolerance::default()).is_ok());
        assert_eq!(ok.agree(&err, Tolerance::default()), Err("Ok(..) vs Err(\"bad shape\")".into()));
    }
}
