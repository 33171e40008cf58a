"""Loaded by a test's worker only (caseflow.settings.test with PDF_RENDER_HOLD_FILE set): the
PDF render, once the worker has taken it, waits until that file exists. The test that kills a
worker mid-render so knows the kill comes while the render runs; the task's own route, its
taking of the PDF and its storing are the real ones."""

import os
import time
from pathlib import Path

from care_plans import tasks

_render = tasks.render_pdf


def _held_render(version_pk: int) -> bytes:
    hold = Path(os.environ["PDF_RENDER_HOLD_FILE"])
    while not hold.exists():
        time.sleep(0.1)
    return _render(version_pk)


tasks.render_pdf = _held_render
