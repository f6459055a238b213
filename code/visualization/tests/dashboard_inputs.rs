//! Whatever numbers a learner feeds the dashboard, it draws or returns an error; it never panics.
use proptest::prelude::*;
use visualization::dashboard::{DashboardData, dashboard_svg};
use visualization::model::Importance;

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![8 => 0.0..3.0f64, 1 => Just(f64::NAN), 1 => Just(f64::INFINITY), 1 => Just(0.0), 1 => Just(-1.0)]
}

fn data() -> impl Strategy<Value = DashboardData> {
    (0usize..4, 0usize..6, 0usize..6).prop_flat_map(|(classes, epochs, rows)| {
        (
            prop::collection::vec(value(), epochs),
            prop::collection::vec(value(), epochs..=epochs + 1),
            prop::collection::vec(prop::collection::vec(0u64..5, classes..=classes + 1), classes..=classes + 1),
            prop::collection::vec((value(), value()), 0..4),
            prop::collection::vec(0usize..classes + 1, rows),
            prop::collection::vec(prop_oneof![0.0..=1.0f64, Just(1.5), Just(f64::NAN)], rows..=rows + 1),
        )
            .prop_map(move |(train_loss, val_loss, confusion, importance, predicted, confidence)| DashboardData {
                title: "property".into(),
                train_loss,
                val_loss,
                class_names: (0..classes).map(|c| format!("class {c}")).collect(),
                confusion,
                importance: importance.into_iter().enumerate().map(|(i, (mean, std))| Importance { feature: format!("f{i}"), mean, std }).collect(),
                predicted,
                confidence,
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn draws_or_explains(d in data()) {
        let valid = d.validate();
        match dashboard_svg(&d, (800, 600)) {
            Ok(svg) => {
                prop_assert!(valid.is_ok());
                prop_assert!(svg.contains("Loss per epoch") && svg.contains("Prediction confidence"));
            }
            Err(e) => {
                // an error comes from validation, not from drawing (messages compared: NaN != NaN)
                prop_assert_eq!(valid.err().map(|v| v.to_string()), Some(e.to_string()));
                prop_assert!(!e.to_string().is_empty());
            }
        }
    }
}
