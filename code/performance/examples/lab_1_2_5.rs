//! Lab 1.2.5: `cargo run --release -p performance --example lab-1-2-5`
//! Checks every optimization step against the slow function, then prints the timing tables.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    course_utils::progress::announce("lab-1-2-5");
    performance::lab_1_2_5::run(None, 10)
}
