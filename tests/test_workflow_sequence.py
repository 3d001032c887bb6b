"""The randomised rerun sequence (issue 11): real exports, Snakemake after every step.

``SCOPING_SEQUENCE_STEPS`` and ``SCOPING_SEQUENCE_SEED`` run a longer or another sequence by
hand: ``SCOPING_SEQUENCE_STEPS=400 SCOPING_SEQUENCE_SEED=7 pytest tests/test_workflow_sequence.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

from review_sequence import (
    check_clusters_match_a_fresh_run,
    check_fresh_clone_agrees,
    check_prisma_adds_up,
    check_typed_decisions_kept,
    start_review,
    take_step,
)

STEPS = int(os.environ.get("SCOPING_SEQUENCE_STEPS", "100"))
SEED = int(os.environ.get("SCOPING_SEQUENCE_SEED", "11"))
#: A whole fresh clone is run from nothing this often (and after the last step).
CLONE_EVERY = 25


def test_random_rerun_sequence_keeps_every_decision(tmp_path: Path, shared_data: Path) -> None:
    review = start_review(tmp_path / "review", shared_data, SEED)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    for number in range(1, STEPS + 1):
        what = take_step(review)
        try:
            review.run()
            check_prisma_adds_up(review)
            check_typed_decisions_kept(review)
            check_clusters_match_a_fresh_run(review, scratch)
            if number % CLONE_EVERY == 0 or number == STEPS:
                check_fresh_clone_agrees(review, scratch)
        except AssertionError as error:
            history = "\n".join(f"  {i}. {s}" for i, s in enumerate(review.log, start=1))
            raise AssertionError(
                f"step {number} ({what}) failed; steps so far:\n{history}\n{error}"
            ) from error
    # The sequence did what it says: decisions typed, pairs answered, sources came and went.
    assert len(review.typed) > 50
    assert review.answered > 0
    assert any(s.startswith("remove source") for s in review.log)
    assert any(s.startswith("duplicate") for s in review.log)
    assert any(s.startswith("delete results") for s in review.log)
    # Screened records were merged with copies from later sources, and their decisions counted.
    assert review.carried
    assert any(stage == "full_text" for stage, _, _ in review.typed)
