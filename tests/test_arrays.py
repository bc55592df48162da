"""The packed bit columns that list filters and facets read agree with bool matrices."""

import numpy as np
import pytest

from partners_api.arrays import any_of, bit_columns, counts_within


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
