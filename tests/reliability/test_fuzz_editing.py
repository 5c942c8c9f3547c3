"""The editing fuzz families of scripts/fuzz.py, a few rounds per container kind: nothing lost (issue 18)."""
from __future__ import annotations

import os
import random

import pytest

from .fuzz_editing import SUFFIXES, EditingFuzzer

EDITORS = int(os.environ.get("LINDI_CONCURRENT_EDITORS", "3"))
EDITS_EACH = int(os.environ.get("LINDI_CONCURRENT_EDITS", "4"))


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_edit_sequences_with_kills_lose_nothing(tmp_path, suffix):
    fuzzer = EditingFuzzer(tmp_path, random.Random(18))
    for _ in range(2):
        fuzzer.edit_sequence(steps=5, suffix=suffix)
    assert fuzzer.stats.findings == []
    assert fuzzer.stats.edits == 10


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_concurrent_editors_that_retry_lose_no_edit(tmp_path, suffix):
    fuzzer = EditingFuzzer(tmp_path, random.Random(7))
    fuzzer.concurrent_editors(editors=EDITORS, edits_each=EDITS_EACH, suffix=suffix)
    assert fuzzer.stats.findings == [] and fuzzer.stats.concurrent_edits == EDITORS * EDITS_EACH
