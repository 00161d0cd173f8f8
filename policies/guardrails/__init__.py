"""The rules of the megaticket-dr-guardrails pack, one module per area; POLICIES is the pack's list."""

from . import (
    compute_rules,
    data_rules,
    dns_rules,
    launch_template_versions,
    next_public,
    pipeline_rules,
    profile_rules,
    task_token_rules,
    user_data_rules,
)

POLICIES = [
    launch_template_versions.POLICY,
    next_public.POLICY,
    next_public.ADVISORY_POLICY,
    user_data_rules.REGION_POLICY,
    user_data_rules.INTERNAL_API_URL_POLICY,
    user_data_rules.PLACEHOLDER_POLICY,
    user_data_rules.CREDENTIALS_POLICY,
    user_data_rules.HIDDEN_POLICY,
    compute_rules.IMDSV2_POLICY,
    compute_rules.DR_ASG_POLICY,
    dns_rules.PRIMARY_HEALTH_CHECK_POLICY,
    dns_rules.TTL_POLICY,
    dns_rules.ALARM_REGION_POLICY,
    data_rules.REPLICA_POLICY,
    data_rules.PITR_POLICY,
    pipeline_rules.APPROVAL_TOPIC_POLICY,
    pipeline_rules.APPROVAL_TIMEOUT_POLICY,
    pipeline_rules.LAMBDA_TIMEOUT_POLICY,
    task_token_rules.POLICY,
    profile_rules.WARM_POOL_TEMPLATE_POLICY,
    profile_rules.APPROVAL_GATE_POLICY,
]
