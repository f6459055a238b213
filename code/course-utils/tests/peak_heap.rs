//! Peak heap measurement with the counting allocator installed (an integration test is its own program).
use course_utils::memory::{INSTRUMENTED_SYSTEM, PeakMemAlloc, is_instrumented, peak_heap};
use std::alloc::System;

#[global_allocator]
static HEAP: &PeakMemAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The counter is global: tests that read it take turns (cargo runs tests on parallel threads).
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn counts_the_largest_live_allocation_and_what_is_returned() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    assert!(is_instrumented());
    // a 8 MB temporary, freed before a 1 MB result is made: the peak is the temporary
    let (result, peak) = peak_heap(|| {
        let temporary = std::hint::black_box(vec![0u8; 8 << 20]);
        drop(temporary);
        vec![1u8; 1 << 20]
    })
    .unwrap();
    assert_eq!(result.len(), 1 << 20);
    // the test harness's own threads may allocate or free a little meanwhile, never megabytes
    assert!(((8 << 20) - (256 << 10)..(8 << 20) + (256 << 10)).contains(&peak), "peak {peak}");

    let (_, in_place) = peak_heap(|| {
        let mut v = vec![0.0f64; 1000];
        for x in &mut v {
            *x += 1.0;
        }
        v.iter().sum::<f64>()
    })
    .unwrap();
    assert!((1..8000 + (256 << 10)).contains(&in_place), "peak {in_place}");
}

#[test]
fn compare_reports_the_heap_of_each_implementation() {
    use course_utils::Compare;
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let n = 1 << 20;
    let report = Compare::new("sum")
        .runs(1)
        .measure_heap()
        .add("in place", |x: &Vec<f64>| x.iter().sum::<f64>())
        .add("with a copy", |x: &Vec<f64>| x.clone().iter().sum::<f64>())
        .run(&vec![1.0; n])
        .unwrap();
    let copy = report.get("with a copy").unwrap().peak_heap.unwrap();
    assert!(copy >= 8 * n as u64, "the copy is {copy} bytes");
    assert!(report.get("in place").unwrap().peak_heap.unwrap() < 256 << 10);
    assert!(report.table().to_markdown().contains("| peak heap |"));
}
