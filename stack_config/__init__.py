"""Every stack setting, read and checked once (the single validator of operator input).

A wrong or missing value raises `ConfigError` with one line naming the key, the bad value and the
expected form, before any resource is declared. `ConfigError` is a `pulumi.RunError`, which the
Pulumi language host prints without a traceback; the preview and drctl exit 2 with it.

Layout (each reader is one section of the stack file):
  errors.py       ConfigError and the message format
  reader.py       Section: typed getters that remember the dotted key
  shapes.py       id and value shapes (AWS name limits are in failover/contract.py)
  regions.py      known AWS regions (botocore's partitions.json)
  traffic.py      regions, load balancers, health check, DNS, failback lock
  profiles.py     recovery.*: the profile and the defaults it gives other settings
  tiers.py        web.* / app.*
  infra.py        tables, network, Golden AMI
  pipeline.py     failover.*, approvers.*, readiness.*
  primary.py      primaryStack, primary.* fallback values, tags
  consistency.py  settings that clash with each other (same names)
  load.py         load_settings: the sections in order
  stack_file.py   Pulumi.<stack>.yaml and --set overrides
  cost.py         cost.* (usage assumptions of the standby cost model)
  drills.py       drill.* and reports.* (drctl drill, measured reports in S3)
  derive.py       Settings -> the Lambdas' environment settings and the doctor's check settings
"""

from failover.contract import DR, NLB_MODES, PRIMARY, TABLE_SUFFIXES, TIMEOUT_ACTIONS
from stack_config.cost import COST_KEYS, CostSettings
from stack_config.drills import DrillSettings, ReportSettings
from stack_config.errors import NAMESPACE, ConfigError
from stack_config.infra import DEFAULT_INTERFACE_ENDPOINTS
from stack_config.load import from_pulumi, load_settings
from stack_config.model import (
    AmiSettings,
    Approvers,
    Capacity,
    DataSettings,
    DnsSettings,
    FailoverSettings,
    GateSettings,
    HealthCheckSettings,
    LambdaTimeouts,
    LoadBalancerSettings,
    LockSettings,
    NetworkSettings,
    PrimaryReference,
    ReadinessSettings,
    RecoverySettings,
    Settings,
    TableSpec,
    TierSettings,
)
from stack_config.stack_file import apply_overrides, settings_for_stack, stack_file_values

__all__ = [
    "COST_KEYS", "CostSettings", "DEFAULT_INTERFACE_ENDPOINTS", "DR", "NAMESPACE", "NLB_MODES",
    "PRIMARY", "TABLE_SUFFIXES", "TIMEOUT_ACTIONS", "AmiSettings", "Approvers", "Capacity",
    "DrillSettings", "ReportSettings",
    "ConfigError", "DataSettings", "DnsSettings", "FailoverSettings", "GateSettings",
    "HealthCheckSettings", "LambdaTimeouts", "LoadBalancerSettings", "LockSettings", "NetworkSettings",
    "PrimaryReference", "ReadinessSettings", "RecoverySettings", "Settings", "TableSpec", "TierSettings",
    "apply_overrides", "from_pulumi", "load_settings", "settings_for_stack", "stack_file_values",
]
