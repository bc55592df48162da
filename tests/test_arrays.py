"""The numpy helpers of the in-memory indexes agree with the plain Python they replace."""

import numpy as np
import pytest
from sqlalchemy import column, create_engine, select, table
from sqlalchemy.exc import OperationalError

from partners_api.arrays import (
    Coded,
    RowNumbers,
    Strings,
    any_of,
    bit_columns,
    bit_rows,
    columns_of,
    counts_within,
    distinct,
    distinct_inverse,
    with_bit_rows,
)
from partners_api.db import plain_batches


@pytest.mark.parametrize("rows", [0, 1, 63, 64, 65, 1000])
@pytest.mark.parametrize("width", [0, 1, 7])
def test_bit_columns_count_and_select_as_the_matrix(rows, width):
    rng = np.random.default_rng(rows * 10 + width)
    matrix = rng.random((rows, width)) < 0.3
    mask = rng.random(rows) < 0.5
    columns = bit_columns(matrix)
    assert counts_within(columns, mask).tolist() == np.count_nonzero(matrix[mask], 0).tolist()
    for chosen in ([], list(range(width))[:1], list(range(width))[::3]):
        expected = matrix[:, chosen].any(axis=1) if chosen else np.zeros(rows, bool)
        assert any_of(columns, chosen, rows).tolist() == expected.tolist()


@pytest.mark.parametrize("rows", [0, 1, 63, 64, 65, 1000])
@pytest.mark.parametrize("added", [0, 1, 64])
def test_bit_rows_set_and_grown_as_the_matrix(rows, added):
    rng = np.random.default_rng(rows + added)
    matrix = rng.random((rows + added, 5)) < 0.3
    changed = np.concatenate([rng.choice(rows, min(rows, 40)), np.arange(rows, rows + added)])
    before = matrix[:rows].copy()
    before[changed[changed < rows]] = ~before[changed[changed < rows]]  # what changed
    columns = with_bit_rows(bit_columns(before), rows + added, changed, matrix[changed])
    assert columns.tolist() == bit_columns(matrix).tolist()
    assert bit_rows(columns, rows + added).tolist() == matrix.tolist()


@pytest.mark.parametrize("size", [0, 1, 1000])
def test_distinct_values_as_np_unique_gives_them(size):
    values = np.random.default_rng(size).integers(0, 50, size)
    unique, inverse = np.unique(values, return_inverse=True)
    assert distinct(values).tolist() == unique.tolist()
    assert [v.tolist() for v in distinct_inverse(values)] == [unique.tolist(), inverse.tolist()]


def test_strings_codes_and_rows_read_back_what_was_given():
    words = ["", "Université", "北京大学", "x"]
    assert [Strings(words)[i] for i in range(4)] == words
    coded = Coded(["KE", None, "KE", "FR"], np.int16)
    assert [coded[i] for i in range(4)] == ["KE", None, "KE", "FR"] and coded.values == [
        "KE",
        None,
        "FR",
    ]
    rows = RowNumbers(np.array([3, 8, 20], dtype=np.int64))
    assert rows[8] == 1 and rows.get(9) is None and 20 in rows and list(rows) == [3, 8, 20]


def test_plain_batches_read_a_query_as_execute_does_and_raise_its_errors():
    engine = create_engine("sqlite://")
    with engine.connect() as connection:
        connection.exec_driver_sql("CREATE TABLE t (id INTEGER, code TEXT)")
        connection.exec_driver_sql("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'a')")
        query = select(column("id"), column("code")).select_from(table("t")).order_by("id")
        batches = list(plain_batches(connection, query, batch=2))
        assert [len(b) for b in batches] == [2, 1]
        assert [tuple(r) for r in connection.execute(query)] == [r for b in batches for r in b]
        numbers: dict = {}
        ids, codes = columns_of(batches, np.int64, numbers)
        assert (
            ids.tolist() == [1, 2, 3]
            and codes.tolist() == [0, 1, 0]
            and list(numbers) == ["a", "b"]
        )
        with pytest.raises(OperationalError):
            list(plain_batches(connection, select(column("x")).select_from(table("missing"))))


@pytest.mark.parametrize("size", [0, 1, 5, 200])
def test_strings_merged_and_sorted_as_a_list_of_str(size):
    rng = np.random.default_rng(size)
    alphabet = ["a", "b", "é", "北", "Z", " ", "ß"]
    words = ["".join(rng.choice(alphabet, rng.integers(0, 6))) for _ in range(size)]
    strings = Strings(words)
    assert strings.ascending().tolist() == sorted(range(size), key=words.__getitem__)
    places = np.concatenate([rng.choice(size, min(size, 7), replace=False), size + np.arange(3)])
    values = ["".join(rng.choice(alphabet, rng.integers(0, 6))) for _ in places]
    expected = words + [""] * 3
    for place, value in zip(places.tolist(), values, strict=True):
        expected[place] = value
    merged = strings.merged(places, values)
    assert [merged[i] for i in range(len(merged))] == expected
    assert [strings[i] for i in range(size)] == words  # the original unchanged
