"""The megaticket-dr-guardrails policy pack. Rules live in guardrails/; this file only builds the pack.

The CLI runs this directory with `python -u -m pulumi.policy <engine> policies/`, which puts this
directory first on sys.path, hence the top-level `guardrails` import.
"""

from guardrails import POLICIES
from pulumi_policy import PolicyPack

PolicyPack(
    name="megaticket-dr-guardrails",
    description="Guardrails from every incident in the MegaTicket DR documents (Seoul -> Tokyo).",
    policies=POLICIES,
)
