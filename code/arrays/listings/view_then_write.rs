use ndarray::{Array2, s};

fn main() {
    let mut x = Array2::<f64>::zeros((3, 3));
    let first_column = x.slice(s![.., 0]);
    x[[2, 0]] = 5.0;
    println!("{first_column}");
}
