//! Companion crate of the chapter *Arrays with ndarray*: the code its pages include, its labs, and its figure
//! generators.

pub mod attention;
pub mod batch_matmul;
pub mod einsum;
pub mod figures;
pub mod lab_1_2_1;
pub mod lab_1_2_4;
pub mod layout;
pub mod outer;
pub mod sum;
