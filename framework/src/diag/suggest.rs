//! "Did you mean …?": the declared name nearest to a misspelt one, so a hint points at
//! the name the author meant instead of telling them to declare their typo.

/// The hint for `name`, which is not among `declared` (named by `what`, e.g. "the
/// connector's fields"): the nearest declared name when it is a likely typo, otherwise the
/// list of declared names.
pub fn hint(name: &str, declared: &[&str], what: &str) -> String {
    match nearest(name, declared) {
        Some(n) => format!("did you mean `{n}`? (one of {what})"),
        None if declared.is_empty() => format!("{what}: none declared"),
        None => format!("{what}: {}", declared.join(", ")),
    }
}

/// The hint for a record field `name` that is not among the connector's `fields`.
pub fn record_field<'a>(name: &str, fields: impl IntoIterator<Item = &'a String>) -> String {
    let declared: Vec<&str> = fields.into_iter().map(String::as_str).collect();
    match nearest(name, &declared) {
        Some(n) => format!("did you mean `{n}`? (one of the connector's fields)"),
        None => format!(
            "the connector's fields are: {}; or add `{name}: <path>` under connector.fields",
            declared.join(", ")
        ),
    }
}

/// The declared name within a small edit distance of `name` (a third of its length, at
/// least one edit, at most three), the closest first; `None` when nothing is that close.
pub fn nearest<'a>(name: &str, declared: &[&'a str]) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).clamp(1, 3);
    declared
        .iter()
        .map(|d| (distance(&name.to_lowercase(), &d.to_lowercase()), *d))
        .filter(|(dist, _)| *dist <= limit)
        .min_by_key(|(dist, _)| *dist)
        .map(|(_, d)| d)
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of
/// two adjacent characters each count one edit (`date_of_brith` is one from `date_of_birth`).
/// Case-sensitive: callers lower-case when case must not count.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_the_declared_name_and_strangers_list_them() {
        let declared = ["date_of_birth", "family_name", "given_name"];
        assert_eq!(nearest("date_of_brith", &declared), Some("date_of_birth"));
        assert_eq!(nearest("given_nme", &declared), Some("given_name"));
        assert_eq!(nearest("Family_Name", &declared), Some("family_name"));
        assert_eq!(nearest("surname", &declared), None);
        assert_eq!(
            hint("surname", &declared, "the connector's fields"),
            "the connector's fields: date_of_birth, family_name, given_name"
        );
        assert_eq!(
            hint("given_nme", &declared, "the connector's fields"),
            "did you mean `given_name`? (one of the connector's fields)"
        );
        let fields: Vec<String> = declared.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            record_field("surname", &fields),
            "the connector's fields are: date_of_birth, family_name, given_name; or add `surname: <path>` under connector.fields"
        );
        assert_eq!(distance("ab", "ba"), 1);
        assert_eq!(distance("", "abc"), 3);
    }
}
