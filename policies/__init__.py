"""The megaticket-dr-guardrails policy pack (see PulumiPolicy.yaml) and the harness that drives it."""
