use ndarray::array;

fn main() {
    let a = array![1.5, 2.5, 3.5];
    let b = a;
    println!("{a} {b}");
}
