"""One fact, one place: the contract owns the shared constants and AWS limits, nothing repeats them,
and dependencies run one way (contract -> stack_config -> components -> stacks; drctl -> stack_config)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from failover import contract

ROOT = Path(__file__).resolve().parent.parent

# Program and Lambda modules: everything that deploys or runs, except the contract itself.
PROGRAM = sorted(
    p for pattern in ("__main__.py", "stacks.py", "stack_contract.py", "stack_config/*.py", "components/*.py",
                      "components/*/*.py", "userdata/*.py", "failover/*.py", "drctl/*.py")
    for p in ROOT.glob(pattern) if p.name != "contract.py")
RULES = [v for v in vars(contract).values() if isinstance(v, contract.NameRule)]
# Values only the contract may spell out: modes, the placeholder, table suffixes, state and error
# names, the tag key, the failback machine's suffix.
OWNED_TEXT = {
    *contract.NLB_MODES, contract.NLB_DNS_PLACEHOLDER, *contract.TABLE_SUFFIXES, contract.APPROVAL_STATE,
    contract.REJECT_ERROR, contract.NLB_MODE_TAG, contract.FAILBACK_MACHINE_SUFFIX,
}  # (region names are data in many places, so ALARM_REGION is not policed by its text)
OWNED_NAMES = {n for n, v in vars(contract).items() if n.isupper() and not isinstance(v, type)}
LIMITS = {r.max_len for r in RULES} - {255, 256}  # 255/256 are also generic byte limits
_QUANTIFIER = re.compile(r"\{(\d+),(\d+)\}")


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _repeats(path: Path) -> list[str]:
    tree = _tree(path)
    docs = _docstrings(tree)
    found = []
    for node in tree.body:  # module-level redefinitions of a contract name
        if isinstance(node, ast.Assign) and not isinstance(node.value, ast.Name | ast.Attribute):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in OWNED_NAMES:
                    found.append(f"{path.name}:{node.lineno} defines {target.id} again")
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs \
                and node.value in OWNED_TEXT:
            found.append(f"{path.name}:{node.lineno} spells out {node.value!r}")
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice) \
                and isinstance(node.slice.upper, ast.Constant) and node.slice.upper.value in LIMITS:
            found.append(f"{path.name}:{node.lineno} cuts to {node.slice.upper.value} characters")
    return found


@pytest.mark.parametrize("path", PROGRAM, ids=[str(p.relative_to(ROOT)) for p in PROGRAM])
def test_no_program_or_lambda_module_repeats_a_constant_or_limit_the_contract_owns(path: Path) -> None:
    assert _repeats(path) == []


def _regex_limits(path: Path) -> list[str]:
    found = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            for low, high in _QUANTIFIER.findall(node.value):
                if int(high) in LIMITS or int(high) + 1 in LIMITS:
                    found.append(f"{path.name}:{node.lineno} pattern {{{low},{high}}}")
    return found


TRUSTING = [p for p in PROGRAM if p.parts[len(ROOT.parts)] == "components" or p.name == "stacks.py"]


@pytest.mark.parametrize("path", TRUSTING, ids=[str(p.relative_to(ROOT)) for p in TRUSTING])
def test_components_encode_no_aws_name_length_in_a_pattern(path: Path) -> None:
    """Components trust stack_config: a length written into a component's regex is a second copy of
    a limit (the config 128 / component 100 drift of issue 10)."""
    assert _regex_limits(path) == []


def test_the_pack_and_the_config_share_one_table_of_step_timeout_minimums() -> None:
    import sys

    sys.path.insert(0, str(ROOT / "policies"))
    try:
        from guardrails import pipeline_rules
    finally:
        sys.path.remove(str(ROOT / "policies"))
    assert pipeline_rules.DEFAULT_MINIMUM_TIMEOUTS == contract.STEP_TIMEOUT_MINIMUMS


# --- dependency direction ---------------------------------------------------------------------------

LAYERS = {
    "failover/contract.py": set(),  # standard library only
    "failover": {"failover", "userdata"},  # the readiness checks render user data with the program's renderer
    "stack_config": {"failover", "stack_config", "pulumi", "yaml"},
    "components": {"failover", "stack_config", "components", "pulumi", "pulumi_aws", "userdata"},
    # drctl may run the program under the preview's engine (import-plan, and `rto --profiles`, which
    # prices each profile with cost.estimate), never the reverse
    "drctl": {"failover", "stack_config", "drctl", "offline_preview", "cost", "boto3", "botocore"},
}
_FIRST_PARTY = {"failover", "stack_config", "components", "stacks", "stack_contract", "drctl", "userdata",
                "offline_preview", "policies", "cost", "tests"}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_dependencies_run_one_way(layer: str) -> None:
    paths = [ROOT / layer] if layer.endswith(".py") else sorted((ROOT / layer).rglob("*.py"))
    if layer == "failover":
        paths = [p for p in paths if p.name != "contract.py"]
    allowed = LAYERS[layer]
    for path in paths:
        first_party = _imports(path) & _FIRST_PARTY
        wrong = first_party - allowed if layer != "failover/contract.py" else _imports(path) - {
            "__future__", "re", "dataclasses", "functools"}
        assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"


def test_no_module_edits_sys_path() -> None:
    for path in PROGRAM:
        assert "sys.path" not in path.read_text(encoding="utf-8"), path.relative_to(ROOT)


def test_the_contract_ships_in_both_lambda_packages() -> None:
    from components.failover_pipeline.functions import package
    from components.readiness import PACKAGED

    assert "failover/contract.py" in package().assets
    assert "failover/contract.py" in PACKAGED


@pytest.mark.parametrize("rule", RULES, ids=[r.what for r in RULES])
def test_every_name_rule_cites_its_aws_page_and_refuses_one_character_too_many(rule: contract.NameRule) -> None:
    assert rule.doc.startswith("https://docs.aws.amazon.com/")
    sample = "a" * rule.max_len
    if rule.problem(sample) is None:
        assert rule.problem(sample + "a") is not None
    assert rule.problem(sample + "\n") is not None  # fullmatch: a trailing newline never passes
