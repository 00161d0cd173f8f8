"""`bin/preview <stack> --json` for both stacks (and nlb.mode=on-failover) is what it was before the
consolidation of issue 10, apart from the intended changes `tools/golden_preview.py` lists.

After an intended change elsewhere: review `tools/golden_preview.py` output, then store the new
copies with `.venv/bin/python tools/golden_preview.py --update`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import golden_preview  # noqa: E402

sys.path.remove(str(ROOT / "tools"))


@pytest.mark.parametrize("variant", sorted(golden_preview.VARIANTS))
def test_preview_json_is_unchanged_apart_from_intended_changes(variant: str) -> None:
    golden = json.loads((golden_preview.FIXTURES / f"{variant}.json").read_text(encoding="utf-8"))
    current = golden_preview.preview(golden_preview.VARIANTS[variant])
    assert golden_preview.differences(golden, current) == [], (
        "the preview changed; if intended, review and run tools/golden_preview.py --update")


def test_the_normalization_hides_only_the_intended_changes() -> None:
    """A change the consolidation did not intend (a renamed child) still shows."""
    golden = json.loads((golden_preview.FIXTURES / "tokyo.json").read_text(encoding="utf-8"))
    changed = json.loads(json.dumps(golden))
    target = next(r for r in changed["resources"] if r["name"] == "failover-approval-topic")
    target["inputs"]["name"] = "renamed-topic"
    assert golden_preview.differences(golden, changed) == [
        "('aws:sns/topic:Topic', 'failover-approval-topic') inputs differs"]
