//! An ordered list of things with ids, with lookup by id.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Something with an id of its own.
pub trait Keyed {
    type Key: Ord + Clone;
    fn key(&self) -> &Self::Key;
}

/// Keeps the order things were defined in (the order people read them) and
/// finds one by id without a scan. Serialised as a plain list; the index is
/// rebuilt on load.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Vec<T>", into = "Vec<T>")]
#[serde(bound(
    serialize = "T: Serialize + Clone",
    deserialize = "T: Deserialize<'de>"
))]
pub struct Roster<T: Keyed> {
    items: Vec<T>,
    index: BTreeMap<T::Key, usize>,
}

impl<T: Keyed> Roster<T> {
    pub fn get(&self, key: &T::Key) -> Option<&T> {
        self.index.get(key).map(|&i| &self.items[i])
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl<T: Keyed> From<Vec<T>> for Roster<T> {
    /// Later duplicates are unreachable by key; definitions are validated
    /// for duplicates before they become a roster.
    fn from(items: Vec<T>) -> Self {
        let mut index = BTreeMap::new();
        for (i, item) in items.iter().enumerate() {
            index.entry(item.key().clone()).or_insert(i);
        }
        Roster { items, index }
    }
}

impl<T: Keyed> From<Roster<T>> for Vec<T> {
    fn from(r: Roster<T>) -> Vec<T> {
        r.items
    }
}

impl<'a, T: Keyed> IntoIterator for &'a Roster<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// Maps keyed by numbers are written as lists: JSON object keys are
/// strings, and serde cannot turn `"1"` back into a number inside an
/// internally tagged message (a snapshot frame). `keyed_list` writes a map
/// of keyed values as the list of values; `pairs` writes `[key, value]`
/// pairs.
pub(crate) mod keyed_list {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Keyed;

    pub(crate) fn serialize<S: Serializer, T: Keyed + Serialize>(
        map: &BTreeMap<T::Key, T>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(map.values())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>, T: Keyed + Deserialize<'de>>(
        d: D,
    ) -> Result<BTreeMap<T::Key, T>, D::Error> {
        let list = Vec::<T>::deserialize(d)?;
        Ok(list.into_iter().map(|v| (v.key().clone(), v)).collect())
    }
}

pub(crate) mod pairs {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(crate) fn serialize<S: Serializer, K: Serialize, V: Serialize>(
        map: &BTreeMap<K, V>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(map.iter())
    }

    pub(crate) fn deserialize<
        'de,
        D: Deserializer<'de>,
        K: Deserialize<'de> + Ord,
        V: Deserialize<'de>,
    >(
        d: D,
    ) -> Result<BTreeMap<K, V>, D::Error> {
        Ok(Vec::<(K, V)>::deserialize(d)?.into_iter().collect())
    }
}
