"""What the browser tests' modules share: one Chromium per module."""

from __future__ import annotations

import pytest
from browser import launched_chromium


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as launched:
        yield launched
