//! The patch between two documents.
//!
//! `json_patch::diff` compares arrays index by index: one speaker called off
//! the head of a list of ten rewrote the nine entries after it. Here array
//! elements are first aligned on the longest run of unchanged elements, and
//! inside each changed stretch the entries that came or went are placed
//! where the patch comes out smallest, so a list that gains or loses an
//! entry costs about one operation. The operations are `json_patch`'s, and
//! `json_patch::patch` applies them (the tests check every patch that way).

use json_patch::jsonptr::PointerBuf;
use json_patch::{AddOperation, Patch, PatchOperation, RemoveOperation, ReplaceOperation};
use serde_json::{Map, Value};

/// Longer arrays than this (in elements, both sides multiplied) are
/// compared index by index instead of aligned.
const ALIGN_LIMIT: usize = 250_000;

/// The RFC 6902 patch that turns `from` into `to`.
pub fn diff(from: &Value, to: &Value) -> Patch {
    let mut ops = Vec::new();
    value(from, to, &mut PointerBuf::new(), &mut ops);
    Patch(ops)
}

fn value(a: &Value, b: &Value, path: &mut PointerBuf, ops: &mut Vec<PatchOperation>) {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => object(a, b, path, ops),
        (Value::Array(a), Value::Array(b)) => array(a, b, path, ops),
        _ if a == b => {}
        _ => ops.push(PatchOperation::Replace(ReplaceOperation {
            path: path.clone(),
            value: b.clone(),
        })),
    }
}

fn object(
    a: &Map<String, Value>,
    b: &Map<String, Value>,
    path: &mut PointerBuf,
    ops: &mut Vec<PatchOperation>,
) {
    for (key, to) in b {
        path.push_back(key);
        match a.get(key) {
            Some(from) => value(from, to, path, ops),
            None => ops.push(PatchOperation::Add(AddOperation {
                path: path.clone(),
                value: to.clone(),
            })),
        }
        path.pop_back();
    }
    for key in a.keys().filter(|k| !b.contains_key(*k)) {
        path.push_back(key);
        ops.push(PatchOperation::Remove(RemoveOperation {
            path: path.clone(),
        }));
        path.pop_back();
    }
}

fn array(a: &[Value], b: &[Value], path: &mut PointerBuf, ops: &mut Vec<PatchOperation>) {
    if a.len().saturating_mul(b.len()) > ALIGN_LIMIT {
        return stretch(a, b, 0, 0, path, ops);
    }
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    // `at` is the index in the array as patched so far.
    let (mut i, mut j, mut at) = (0, 0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            i += 1;
            j += 1;
            at += 1;
            continue;
        }
        let (i0, j0) = (i, j);
        while i < n || j < m {
            if i < n && j < m && a[i] == b[j] {
                break;
            }
            if j >= m || (i < n && lcs[i + 1][j] >= lcs[i][j + 1]) {
                i += 1;
            } else {
                j += 1;
            }
        }
        let (gone, came) = (&a[i0..i], &b[j0..j]);
        let best = (0..=gone.len().abs_diff(came.len()))
            .map(|offset| {
                let mut trial = Vec::new();
                stretch(gone, came, offset, at, path, &mut trial);
                trial
            })
            .min_by_key(|trial| serde_json::to_string(trial).map_or(usize::MAX, |s| s.len()))
            .unwrap_or_default();
        ops.extend(best);
        at += came.len();
    }
}

/// A changed stretch starting at index `at`: the elements that came or
/// went (the difference in length) sit as one block `offset` elements in;
/// the others are compared pairwise.
fn stretch(
    gone: &[Value],
    came: &[Value],
    offset: usize,
    at: usize,
    path: &mut PointerBuf,
    ops: &mut Vec<PatchOperation>,
) {
    let paired = gone.len().min(came.len());
    let extra = gone.len().abs_diff(came.len());
    let offset = offset.min(paired);
    let mut index = at;
    for k in 0..offset {
        pair(&gone[k], &came[k], &mut index, path, ops);
    }
    for k in 0..extra {
        path.push_back(index);
        if gone.len() > came.len() {
            ops.push(PatchOperation::Remove(RemoveOperation {
                path: path.clone(),
            }));
        } else {
            ops.push(PatchOperation::Add(AddOperation {
                path: path.clone(),
                value: came[offset + k].clone(),
            }));
            index += 1;
        }
        path.pop_back();
    }
    let (g, c) = if gone.len() > came.len() {
        (offset + extra, offset)
    } else {
        (offset, offset + extra)
    };
    for k in 0..paired - offset {
        pair(&gone[g + k], &came[c + k], &mut index, path, ops);
    }
}

/// Two elements at `index`, compared.
fn pair(
    from: &Value,
    to: &Value,
    index: &mut usize,
    path: &mut PointerBuf,
    ops: &mut Vec<PatchOperation>,
) {
    path.push_back(*index);
    value(from, to, path, ops);
    path.pop_back();
    *index += 1;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(from: Value, to: &Value) -> usize {
        let patch = diff(&from, to);
        let mut doc = from;
        json_patch::patch(&mut doc, &patch).unwrap();
        assert_eq!(&doc, to);
        patch.0.len()
    }

    #[test]
    fn removing_the_head_of_a_list_is_one_operation() {
        let list: Vec<Value> = (0..10)
            .map(|i| json!({"d": i, "name": format!("n{i}")}))
            .collect();
        assert_eq!(
            check(
                json!({ "next": list.clone() }),
                &json!({ "next": list[1..].to_vec() })
            ),
            1
        );
    }

    #[test]
    fn a_new_entry_at_the_front_is_one_operation() {
        let list: Vec<Value> = (0..8).map(|i| json!({"speech": i})).collect();
        let mut more = vec![json!({"speech": 99})];
        more.extend(list.clone());
        assert_eq!(check(json!(list), &json!(more)), 1);
    }

    #[test]
    fn entries_that_changed_and_moved_up_are_patched_in_place() {
        let from = json!([{"d": "a", "at": 1}, {"d": "b", "at": 2}, {"d": "c", "at": 3}]);
        let to = json!([{"d": "b", "at": 1}, {"d": "c", "at": 2}]);
        // The head goes; the two others keep their delegation, move up and
        // change one field each.
        assert_eq!(check(from, &to), 3);
    }

    #[test]
    fn any_pair_of_documents_round_trips() {
        let docs = [
            json!(null),
            json!({"a": [1, 2, 3], "b": {"c": "x"}}),
            json!({"a": [3, 1], "b": {"c": "y", "d": [true]}}),
            json!({"a": [], "e": 5}),
            json!([{"x": [1, {"y": 2}]}, 4, "s"]),
            json!([4, {"x": [{"y": 3}, 1]}]),
            json!({"a": [1, 2, 3, 4, 5, 6], "b": null}),
        ];
        for from in &docs {
            for to in &docs {
                check(from.clone(), to);
            }
        }
    }
}
