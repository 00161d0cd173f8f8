"""MegaTicket pilot-light DR: wiring only. `seoul` is the primary stack, `tokyo` the pilot light."""

import pulumi

import stack_config
import stacks

settings = stack_config.from_pulumi()
providers = stacks.regional_providers(settings)
declare = stacks.declare_dr if settings.is_dr else stacks.declare_primary
for key, value in declare(settings, providers).items():
    pulumi.export(key, value)
