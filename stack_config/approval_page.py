"""`approval.page.*`: the approval page (API Gateway HTTP API + Lambda) step 0 links to.

Keys (README "Approval page"):
  enabled            true (default) | false: without the page, step 0 sends the drctl/CLI message
  pin                required (default) | off: the second factor on the page
  pinParameter       SSM SecureString holding the PIN hash (`drctl approval-pin set --parameter`)
  maxPinAttempts     wrong PINs before a link locks (default 5)
  throttlingRateLimit, throttlingBurstLimit
                     the stage's default route throttling (requests per second, bucket size)
"""

from __future__ import annotations

import re

from failover.approval_page import PIN_MODES
from stack_config.errors import fail
from stack_config.model import ApprovalPageSettings
from stack_config.reader import Section

MAX_PIN_ATTEMPTS = 20  # more guesses than this makes a six-digit PIN a weak second factor
# API Gateway's account-level defaults per region are 10,000 requests/s and a 5,000 burst: a stage
# cannot be throttled above them (AWS refuses at deploy).
RATE_LIMIT_MAX = 10_000
BURST_LIMIT_MAX = 5_000
# SSM: a hierarchy name starts with '/', uses [a-zA-Z0-9_.-/], at most 1011 characters and 15 levels,
# and may not begin with the reserved prefixes aws or ssm (any case).
SSM_PARAMETER = re.compile(r"(?=.{2,1011}\Z)(?!/(?:aws|ssm))(?:/[A-Za-z0-9_.-]+){1,15}", re.IGNORECASE)
SSM_EXPECTED = ('an SSM parameter name such as "/megaticket-dr/approval-pin" (starts with "/", letters, '
                'digits, "_.-", at most 15 levels and 1011 characters, not under /aws or /ssm)')


def read_approval_page(root: Section) -> ApprovalPageSettings:
    page = root.section("approval").only("page").section("page").only(
        "enabled", "pin", "pinParameter", "maxPinAttempts", "throttlingRateLimit", "throttlingBurstLimit")
    defaults = ApprovalPageSettings()
    rate = page.integer("throttlingRateLimit", defaults.throttling_rate_limit, 1, RATE_LIMIT_MAX,
                        why=" requests per second (API Gateway's account default is the ceiling)")
    burst = page.integer("throttlingBurstLimit", defaults.throttling_burst_limit, 1, BURST_LIMIT_MAX,
                         why=" requests (API Gateway's account default is the ceiling)")
    if burst < rate:
        # A token bucket smaller than one second of the rate never lets the rate through.
        raise fail(page.key("throttlingBurstLimit"), f"at least throttlingRateLimit ({rate})", burst)
    return ApprovalPageSettings(
        enabled=page.boolean("enabled", defaults.enabled),
        pin=page.choice("pin", defaults.pin, PIN_MODES),
        pin_parameter=page.text("pinParameter", defaults.pin_parameter, SSM_PARAMETER, SSM_EXPECTED),
        max_pin_attempts=page.integer("maxPinAttempts", defaults.max_pin_attempts, 1, MAX_PIN_ATTEMPTS,
                                      why=" wrong PINs before a link locks"),
        throttling_rate_limit=rate,
        throttling_burst_limit=burst,
    )
