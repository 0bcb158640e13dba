//! Integration tests of the readers and writers on the real ASEM and CBCII files, malformed inputs, and
//! round-trip properties.

use composite_indicators::aggregate::AggregatorKind;
use composite_indicators::io::datasets::cbcii::read_cbcii_framework_path;
use composite_indicators::io::{
    CsvOptions, IMeta, format_f64, read_csv, read_idata, read_idata_path, read_imeta,
    read_imeta_path, read_spec, spec_from_json, spec_from_toml, spec_to_json, spec_to_toml,
    write_dataset, write_spec, write_table,
};
use composite_indicators::spec::NodeKind;
use composite_indicators::{Direction, Error, FrameworkSpec, Indicator, Pillar};
use ndarray::Array2;
use proptest::prelude::*;

const IMETA: &str = "data/asem/iMeta.csv";
const IDATA: &str = "data/asem/iData.csv";
const CBCII: &str = "data/cbcii/framework.csv";

fn asem_meta() -> IMeta {
    read_imeta_path(IMETA).expect("ASEM iMeta")
}

// ------------------------------------------------------------------------------------------ ASEM

#[test]
fn asem_imeta_structure() {
    let m = asem_meta();
    assert_eq!(m.spec.indicators.len(), 49);
    assert_eq!(m.spec.pillars.len(), 11);
    assert_eq!(
        m.groups,
        vec!["GDP_group", "GDPpc_group", "Pop_group", "EurAsia_group"]
    );
    assert_eq!(m.denominators, vec!["Area", "Energy", "GDP", "Population"]);
    assert!(m.others.is_empty());
    assert_eq!(m.spec.name, "Sustainable Connectivity");

    let lpi = &m.spec.indicators[0];
    assert_eq!(lpi.code, "LPI");
    assert_eq!(lpi.name, "Logistics Performance Index");
    assert_eq!(lpi.unit, "Score 1-5");
    assert_eq!(lpi.target, Some(4.11803135));
    assert_eq!(lpi.parent, "Physical");
    let flights = &m.spec.indicators[1];
    assert_eq!(flights.denominator.as_deref(), Some("Population"));
    assert!(m.spec.indicators.iter().all(|i| i.weight == 1.0));
    let negatives: Vec<&str> = m
        .spec
        .indicators
        .iter()
        .filter(|i| i.direction == Direction::Negative)
        .map(|i| i.code.as_str())
        .collect();
    assert!(negatives.contains(&"CO2"), "{negatives:?}");

    let fw = m.spec.clone().check().expect("ASEM framework checks");
    assert_eq!(fw.root().code, "Index");
    assert_eq!(fw.n_indicators(), 49);
    let aggregates: Vec<_> = fw
        .nodes()
        .iter()
        .filter(|n| n.kind == NodeKind::Aggregate)
        .collect();
    assert_eq!(aggregates.len(), 11);
    assert_eq!(aggregates.iter().filter(|n| n.level == 2).count(), 8);
    let subs: Vec<&str> = aggregates
        .iter()
        .filter(|n| n.level == 3)
        .map(|n| n.code.as_str())
        .collect();
    assert_eq!(subs, vec!["Conn", "Sust"]);
    assert_eq!(fw.root().level, 4);
}

#[test]
fn asem_idata_values() {
    let m = asem_meta();
    let d = read_idata_path(IDATA, &m).expect("ASEM iData");
    assert_eq!(d.n_units(), 51);
    assert_eq!(d.unit_codes()[0], "AUT");
    assert_eq!(d.unit_names()[0], "Austria");
    assert_eq!(d.unit_codes()[1], "BEL");
    // Time + 4 denominators + 49 indicators
    assert_eq!(d.columns().len(), 54);
    assert_eq!(d.columns()[0], "Time");
    assert_eq!(d.groups().len(), 4);
    let eurasia = d.group("EurAsia_group").unwrap();
    assert_eq!(eurasia[0], "Europe");
    assert!(eurasia.iter().all(|g| g == "Europe" || g == "Asia"));
    assert_eq!(d.group("GDP_group").unwrap()[0], "L");

    let nan_total = d.values().iter().filter(|v| v.is_nan()).count();
    assert_eq!(nan_total, 64);
    let codes: Vec<&str> = m.spec.indicators.iter().map(|i| i.code.as_str()).collect();
    let ind = d.select(&codes).unwrap();
    assert_eq!(ind.iter().filter(|v| v.is_nan()).count(), 63);
    assert_eq!(
        d.column("Energy")
            .unwrap()
            .iter()
            .filter(|v| v.is_nan())
            .count(),
        1
    );
    assert_eq!(
        d.column("ConSpeed")
            .unwrap()
            .iter()
            .filter(|v| v.is_nan())
            .count(),
        8
    );

    // values are parsed exactly as written
    assert_eq!(d.column("LPI").unwrap()[0], 4.097985);
    // the file writes 17 significant digits where 15 do not round-trip
    assert_eq!(
        d.column("Elec").unwrap()[0],
        "35.369729833333331".parse::<f64>().unwrap()
    );
    assert_eq!(d.column("Elec").unwrap()[0], 35.36972983333333);
    assert_eq!(d.column("GDP").unwrap()[1], 467.95526735685604);
    assert_eq!(d.column("Time").unwrap()[50], 2018.0);
}

#[test]
fn asem_spec_round_trips_exactly() {
    let spec = asem_meta().spec;
    let t = spec_to_toml(&spec).unwrap();
    assert_eq!(spec_from_toml(&t).unwrap(), spec);
    let j = spec_to_json(&spec).unwrap();
    assert_eq!(spec_from_json(&j).unwrap(), spec);

    let dir = std::env::temp_dir().join(format!("ci_io_test_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for ext in ["toml", "json"] {
        let p = dir.join(format!("asem.{ext}"));
        write_spec(&p, &spec).unwrap();
        assert_eq!(read_spec(&p).unwrap(), spec, "{ext}");
    }
    assert_eq!(read_spec(IMETA).unwrap(), spec);
}

#[test]
fn asem_dataset_writes_and_reads_back_bit_exactly() {
    let m = asem_meta();
    let d = read_idata_path(IDATA, &m).unwrap();
    let mut out = Vec::new();
    write_dataset(&mut out, &d).unwrap();
    let groups: Vec<String> = d.groups().iter().map(|(g, _)| g.clone()).collect();
    let back = read_csv(
        out.as_slice(),
        &CsvOptions::default().with_group_columns(groups),
    )
    .unwrap();
    assert_eq!(back.unit_codes(), d.unit_codes());
    assert_eq!(back.unit_names(), d.unit_names());
    assert_eq!(back.groups(), d.groups());
    assert_eq!(back.columns(), d.columns());
    for (a, b) in back.values().iter().zip(d.values().iter()) {
        assert!(a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()));
    }
}

// ------------------------------------------------------------------------------------------ CBCII

#[test]
fn cbcii_framework_counts() {
    let spec = read_cbcii_framework_path(CBCII).unwrap();
    assert_eq!(spec.indicators.len(), 79);
    assert_eq!(spec.name, "China Biopharmaceutical City Innovation Index");
    let fw = spec.clone().check().unwrap();
    assert_eq!(fw.root().code, "CBCII");
    assert_eq!(fw.root().children.len(), 6);
    let per_pillar: Vec<usize> = (1..=6)
        .map(|p| {
            let pre = format!("P{p}.");
            spec.indicators
                .iter()
                .filter(|i| i.code.starts_with(&pre))
                .count()
        })
        .collect();
    assert_eq!(per_pillar, vec![20, 15, 16, 11, 7, 10]);
    // 5 + 4 + 5 + 3 + 3 + 3 = 23 sub-pillars, 6 pillars, 1 root
    assert_eq!(spec.pillars.len(), 30);
    assert_eq!(fw.node("P1").unwrap().children.len(), 5);
    assert_eq!(fw.node("P1").unwrap().name, "Infrastructure");
    assert_eq!(fw.node("P1.S1").unwrap().name, "Location and Openness");
    assert_eq!(spec.indicators.iter().filter(|i| i.bonus).count(), 10);
    assert_eq!(
        spec.indicators
            .iter()
            .filter(|i| i.has_tag("subsector"))
            .count(),
        35
    );
    assert_eq!(
        spec.indicators
            .iter()
            .filter(|i| i.has_tag("status"))
            .count(),
        41
    );
    assert_eq!(
        spec.indicators
            .iter()
            .filter(|i| i.has_tag("potential"))
            .count(),
        38
    );
    let neg: Vec<&str> = spec
        .indicators
        .iter()
        .filter(|i| i.direction == Direction::Negative)
        .map(|i| i.code.as_str())
        .collect();
    assert_eq!(neg, vec!["P1.S1.I2", "P1.S2.I3", "P2.S3.I4"]);
    assert_eq!(
        spec.indicators
            .iter()
            .filter(|i| i.max_score.is_some())
            .count(),
        24
    );
    let i3 = &spec.indicators[2];
    assert_eq!(i3.code, "P1.S1.I3");
    assert_eq!(i3.parent, "P1.S1");
    assert_eq!(i3.max_score, Some(1.0));
    assert_eq!(i3.tags, vec!["potential".to_string()]);
    assert_eq!(i3.unit, "index");
    assert!(spec.pillars.iter().all(|p| p.aggregation.is_none()));
    // the spec survives TOML and JSON
    assert_eq!(spec_from_toml(&spec_to_toml(&spec).unwrap()).unwrap(), spec);
    assert_eq!(spec_from_json(&spec_to_json(&spec).unwrap()).unwrap(), spec);
}

// ------------------------------------------------------------------------------------------ malformed

fn parse_err(e: Error) -> (String, Option<usize>, Option<String>, String) {
    let shown = e.to_string();
    match e {
        Error::Parse {
            source_name,
            line,
            column,
            ..
        } => (source_name, line, column, shown),
        other => panic!("expected Error::Parse, got {other:?}"),
    }
}

#[test]
fn malformed_toml_names_line() {
    let (src, line, _, msg) =
        parse_err(spec_from_toml("name = \"x\"\n[[indicators]]\ncode = \"a\n").unwrap_err());
    assert_eq!(src, "spec TOML");
    assert_eq!(line, Some(3), "{msg}");
    assert!(msg.contains("line 3"), "{msg}");
}

#[test]
fn malformed_json_names_line() {
    let (src, line, _, msg) =
        parse_err(spec_from_json("{\n\"name\": \"x\",\n\"indicators\": [,]\n}").unwrap_err());
    assert_eq!(src, "spec JSON");
    assert_eq!(line, Some(3), "{msg}");
    assert!(msg.contains("column"), "{msg}");
}

#[test]
fn unknown_field_is_named() {
    let (_, line, _, msg) = parse_err(
        spec_from_toml("[[indicators]]\ncode = \"a\"\nparent = \"I\"\nwieght = 2\n").unwrap_err(),
    );
    assert_eq!(line, Some(4), "{msg}");
    assert!(msg.contains("wieght"), "{msg}");
    let (_, line, _, msg) = parse_err(
        spec_from_json("{\"pillars\": [\n{\"code\": \"I\", \"colour\": \"red\"}]}").unwrap_err(),
    );
    assert_eq!(line, Some(2), "{msg}");
    assert!(msg.contains("colour"), "{msg}");
}

#[test]
fn bad_direction_in_spec_and_imeta() {
    let (_, line, _, msg) = parse_err(
        spec_from_json(
            "{\"indicators\": [{\"code\": \"a\", \"parent\": \"I\",\n \"direction\": 0}]}",
        )
        .unwrap_err(),
    );
    assert_eq!(line, Some(2), "{msg}");
    assert!(msg.contains("direction"), "{msg}");

    let text = "iCode,Direction,Weight,Parent,Type\na,1,1,I,Indicator\nb,up,1,I,Indicator\n";
    let (src, line, col, msg) = parse_err(read_imeta(text.as_bytes()).unwrap_err());
    assert_eq!(
        (src.as_str(), line, col.as_deref()),
        ("iMeta CSV", Some(3), Some("Direction"))
    );
    assert!(msg.contains("`b`") && msg.contains("up"), "{msg}");
}

#[test]
fn bad_imeta_type_and_weight() {
    let text = "iCode,Direction,Weight,Parent,Type\na,1,1,I,Indicator\nI,1,1,,Aggregat\n";
    let (_, line, col, msg) = parse_err(read_imeta(text.as_bytes()).unwrap_err());
    assert_eq!((line, col.as_deref()), (Some(3), Some("Type")));
    assert!(msg.contains("Aggregat"), "{msg}");

    let text = "iCode,Direction,Weight,Parent,Type\na,1,one,I,Indicator\n";
    let (_, line, col, msg) = parse_err(read_imeta(text.as_bytes()).unwrap_err());
    assert_eq!((line, col.as_deref()), (Some(2), Some("Weight")));
    assert!(msg.contains("one"), "{msg}");
}

#[test]
fn duplicate_icode_and_missing_imeta_column() {
    let text = "iCode,Direction,Weight,Parent,Type\na,1,1,I,Indicator\nI,1,1,,Aggregate\na,1,1,I,Indicator\n";
    let (_, line, col, msg) = parse_err(read_imeta(text.as_bytes()).unwrap_err());
    assert_eq!((line, col.as_deref()), (Some(4), Some("iCode")));
    assert!(msg.contains("line 2"), "{msg}");

    let text = "iCode,Direction,Parent,Type\na,1,I,Indicator\n";
    let (_, line, col, _) = parse_err(read_imeta(text.as_bytes()).unwrap_err());
    assert_eq!((line, col.as_deref()), (Some(1), Some("Weight")));
}

fn tiny_meta() -> IMeta {
    read_imeta(
        "iCode,Direction,Weight,Parent,Type\nx,1,1,I,Indicator\ny,1,1,I,Indicator\nI,1,1,,Aggregate\n"
            .as_bytes(),
    )
    .unwrap()
}

#[test]
fn ragged_row_names_line() {
    let e = read_idata("uCode,x,y\nA,1,2\n\nB,3\n".as_bytes(), &tiny_meta()).unwrap_err();
    let (src, line, _, msg) = parse_err(e);
    assert_eq!(src, "iData CSV");
    assert_eq!(line, Some(4), "{msg}");
    assert!(msg.contains("ragged"), "{msg}");
}

#[test]
fn non_numeric_cell_names_line_and_column() {
    let e = read_idata("uCode,x,y\nA,1,2\nB,3,n/q\n".as_bytes(), &tiny_meta()).unwrap_err();
    let msg = e.to_string();
    assert!(
        matches!(&e, Error::NonNumeric { line: 3, column, value, .. } if column == "y" && value == "n/q"),
        "{e:?}"
    );
    assert!(
        msg.contains("line 3") && msg.contains("`y`") && msg.contains("n/q"),
        "{msg}"
    );
}

#[test]
fn inf_cell_names_unit_and_column() {
    let e = read_csv("uCode,x\nA,1\nB,-Inf\n".as_bytes(), &CsvOptions::default()).unwrap_err();
    let msg = e.to_string();
    assert!(
        matches!(&e, Error::NonFinite { unit, indicator, value } if unit == "B" && indicator == "x" && *value == f64::NEG_INFINITY),
        "{e:?}"
    );
    assert!(msg.contains("`B`") && msg.contains("`x`"), "{msg}");
}

#[test]
fn duplicate_unit() {
    let e = read_idata("uCode,x,y\nA,1,2\nA,3,4\n".as_bytes(), &tiny_meta()).unwrap_err();
    assert!(
        matches!(&e, Error::DuplicateUnit { code, .. } if code == "A"),
        "{e:?}"
    );
    assert!(e.to_string().contains("`A`"));
}

#[test]
fn empty_file_and_header_only() {
    for text in ["", "\n\n"] {
        let e = read_csv(text.as_bytes(), &CsvOptions::default()).unwrap_err();
        assert!(
            matches!(&e, Error::EmptyData { what } if what.contains("empty")),
            "{e:?}"
        );
    }
    let e = read_idata("uCode,x,y\n".as_bytes(), &tiny_meta()).unwrap_err();
    assert!(
        matches!(&e, Error::EmptyData { what } if what.contains("iData CSV") && what.contains("header only")),
        "{e:?}"
    );
    let e = read_imeta("".as_bytes()).unwrap_err();
    assert!(matches!(&e, Error::EmptyData { .. }), "{e:?}");
}

#[test]
fn missing_ucode_and_missing_indicator_columns() {
    let e = read_idata("code,x,y\nA,1,2\n".as_bytes(), &tiny_meta()).unwrap_err();
    let (_, line, col, msg) = parse_err(e);
    assert_eq!((line, col.as_deref()), (Some(1), Some("uCode")));
    assert!(msg.contains("uCode"), "{msg}");

    // a column the iMeta declares: the header line, the first missing column, every missing one
    let e = read_idata("uCode,x\nA,1\n".as_bytes(), &tiny_meta()).unwrap_err();
    let (_, line, col, msg) = parse_err(e);
    assert_eq!((line, col.as_deref()), (Some(1), Some("y")));
    assert!(msg.contains("no column for `y`"), "{msg}");
}

#[test]
fn empty_unit_code_and_duplicate_header() {
    let e = read_csv("uCode,x\nA,1\n,2\n".as_bytes(), &CsvOptions::default()).unwrap_err();
    let (_, line, col, _) = parse_err(e);
    assert_eq!((line, col.as_deref()), (Some(3), Some("uCode")));
    let e = read_csv("uCode,x,x\nA,1,2\n".as_bytes(), &CsvOptions::default()).unwrap_err();
    let (_, line, col, _) = parse_err(e);
    assert_eq!((line, col.as_deref()), (Some(1), Some("x")));
}

#[test]
fn paths_and_extensions() {
    let e = read_imeta_path("data/asem/no_such_file.csv").unwrap_err();
    assert!(
        matches!(&e, Error::Io { path, .. } if path.contains("no_such_file.csv")),
        "{e:?}"
    );
    let e = read_spec("spec.yaml").unwrap_err();
    assert!(
        matches!(&e, Error::InvalidParameter { value, .. } if value.contains("yaml")),
        "{e:?}"
    );
    // the CSV path reader names the file in parse errors
    let p = std::env::temp_dir().join(format!("ci_io_bad_{}.csv", std::process::id()));
    std::fs::write(&p, "uCode,x\nA,oops\n").unwrap();
    let e = composite_indicators::io::read_csv_path(&p, &CsvOptions::default()).unwrap_err();
    assert!(matches!(&e, Error::NonNumeric { line: 2, .. }), "{e:?}");
    std::fs::write(&p, "uCode,x\nA,1,2\n").unwrap();
    let e = composite_indicators::io::read_csv_path(&p, &CsvOptions::default()).unwrap_err();
    let (src, line, _, _) = parse_err(e);
    assert!(src.ends_with(".csv"));
    assert_eq!(line, Some(2));
}

#[test]
fn json_refuses_non_finite_numbers() {
    let spec = FrameworkSpec::new(
        "x",
        vec![Indicator::new("a", "I").with_target(f64::INFINITY)],
        vec![Pillar::new("I")],
    );
    let e = spec_to_json(&spec).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidSpec { code, reason } if code == "a" && reason.contains("target")),
        "{e:?}"
    );
    // TOML keeps it
    let back = spec_from_toml(&spec_to_toml(&spec).unwrap()).unwrap();
    assert_eq!(back, spec);
}

#[test]
fn malformed_cbcii_row() {
    let text = std::fs::read_to_string(CBCII).unwrap();
    let broken = text.replacen(",-1,false,false,status,", ",-2,false,false,status,", 1);
    let e = composite_indicators::io::datasets::cbcii::read_cbcii_framework(broken.as_bytes())
        .unwrap_err();
    let (_, line, col, msg) = parse_err(e);
    assert_eq!((line, col.as_deref()), (Some(3), Some("direction")));
    assert!(msg.contains("P1.S1.I2"), "{msg}");
}

// ------------------------------------------------------------------------------------------ properties

fn finite_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => any::<f64>().prop_filter("finite", |v| v.is_finite()),
        1 => prop::sample::select(vec![
            0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e308, -1e308, f64::MAX, f64::MIN,
            0.1, 1.0 / 3.0, 123456789.125, 1e-7, 1e16
        ]),
        2 => -1e6f64..1e6,
    ]
}

fn text() -> impl Strategy<Value = String> {
    "[ -~\t\n\u{e9}\u{4e2d}\u{1F600}]{0,8}"
}

fn indicator() -> impl Strategy<Value = Indicator> {
    (
        (text(), text(), text(), any::<bool>(), finite_f64(), text()),
        (
            prop::collection::vec(text(), 0..3),
            any::<bool>(),
            prop::option::of(finite_f64()),
            prop::option::of((finite_f64(), finite_f64())),
            prop::option::of(finite_f64()),
            prop::option::of(text()),
        ),
    )
        .prop_map(
            |((code, name, unit, neg, weight, parent), (tags, bonus, target, gp, max, den))| {
                // every field set, through the public fields (Indicator is non-exhaustive)
                let mut i = Indicator::new(code, parent);
                i.name = name;
                i.unit = unit;
                i.direction = if neg {
                    Direction::Negative
                } else {
                    Direction::Positive
                };
                i.weight = weight;
                i.tags = tags;
                i.bonus = bonus;
                i.target = target;
                i.goalposts = gp.map(|(a, b)| [a, b]);
                i.max_score = max;
                i.denominator = den;
                i
            },
        )
}

fn aggregation() -> impl Strategy<Value = Option<AggregatorKind>> {
    prop_oneof![
        Just(None),
        Just(Some(AggregatorKind::Arithmetic)),
        Just(Some(AggregatorKind::Sum)),
        Just(Some(AggregatorKind::Median)),
        Just(Some(AggregatorKind::Copeland)),
        finite_f64().prop_map(|offset| Some(AggregatorKind::Geometric { offset })),
        finite_f64().prop_map(|offset| Some(AggregatorKind::Harmonic { offset })),
        finite_f64().prop_map(|p| Some(AggregatorKind::Power { p })),
    ]
}

fn pillar() -> impl Strategy<Value = Pillar> {
    (
        text(),
        text(),
        prop::option::of(text()),
        finite_f64(),
        aggregation(),
    )
        .prop_map(|(code, name, parent, weight, aggregation)| {
            let mut p = Pillar::new(code);
            p.name = name;
            p.parent = parent;
            p.weight = weight;
            p.aggregation = aggregation;
            p
        })
}

fn spec() -> impl Strategy<Value = FrameworkSpec> {
    (
        text(),
        prop::collection::vec(indicator(), 0..4),
        prop::collection::vec(pillar(), 0..3),
    )
        .prop_map(|(name, indicators, pillars)| FrameworkSpec::new(name, indicators, pillars))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn spec_round_trips_through_toml_and_json(s in spec()) {
        let t = spec_to_toml(&s).unwrap();
        prop_assert_eq!(&spec_from_toml(&t).unwrap(), &s, "TOML:\n{}", t);
        let j = spec_to_json(&s).unwrap();
        prop_assert_eq!(&spec_from_json(&j).unwrap(), &s, "JSON:\n{}", j);
    }

    #[test]
    fn written_values_read_back_bit_exactly(
        vals in prop::collection::vec(prop_oneof![9 => finite_f64(), 1 => Just(f64::NAN)], 1..24),
        ncols in 1usize..4,
    ) {
        let nrows = vals.len().div_ceil(ncols);
        let mut all = vals.clone();
        all.resize(nrows * ncols, -0.0);
        let m = Array2::from_shape_vec((nrows, ncols), all.clone()).unwrap();
        let rows: Vec<String> = (0..nrows).map(|i| format!("u{i}")).collect();
        let cols: Vec<String> = (0..ncols).map(|j| format!("c{j}")).collect();
        let mut out = Vec::new();
        write_table(&mut out, "uCode", &rows, &cols, m.view(), &[]).unwrap();
        let back = read_csv(out.as_slice(), &CsvOptions::default()).unwrap();
        prop_assert_eq!(back.unit_codes(), rows.as_slice());
        for (a, b) in back.values().iter().zip(all.iter()) {
            prop_assert!(a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                "{} -> {:?} -> {}", b, format_f64(*b), a);
        }
    }
}
