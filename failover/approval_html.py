"""HTML of the approval page. Every value shown comes from outside (execution names, alarm text,
typed names) and goes through `html.escape` here, in one place; nothing else builds markup.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

# Inline CSS only; the CSP below forbids scripts entirely, so no script can be injected either.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "content-security-policy": CSP,
    # same-origin, not no-referrer: with no-referrer Chromium sends `Origin: null` on the form POST,
    # which would blind the origin check; other sites still never see the link in a Referer.
    "referrer-policy": "same-origin",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "x-robots-tag": "noindex, nofollow",
}

_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:0;padding:1rem;max-width:36rem;line-height:1.4}"
    "h1{font-size:1.3rem}dt{font-weight:600}dd{margin:0 0 .6rem 0;word-break:break-all}"
    "label{display:block;margin:.6rem 0 .2rem}"
    "input{width:100%;font-size:1.1rem;padding:.5rem;box-sizing:border-box}"
    "button{font-size:1.1rem;padding:.8rem;width:100%;margin-top:.8rem;border:0;border-radius:.4rem}"
    ".approve{background:#1a7f37;color:#fff}.reject{background:#b42318;color:#fff}"
    ".note{background:#fff4e5;padding:.6rem;border-radius:.4rem}"
)

APPROVING_DOES = (
    "The pipeline readies the Tokyo NLB, points the web launch template at it, scales the app and "
    "web tiers up, checks /api/health through the Tokyo ALB and locks failback."
)

# Titles and explanations of the pages that cannot decide anything.
UNUSABLE = {
    "unknown": ("Unknown link", "This approval link does not exist. Check that it was copied whole."),
    "expired": (
        "Link expired",
        "The approval window closed; the failover went its timeout way. Check `drctl status`.",
    ),
    "used": (
        "Link already used",
        "A decision was already made with this link; each link works once. Check `drctl status`.",
    ),
    "locked": (
        "Link locked",
        "Too many wrong PINs were typed; this link no longer accepts decisions. "
        "An operator can still answer with `drctl approve` / `drctl reject --reason '<why>'`.",
    ),
    "not_waiting": ("Nothing to decide", "The execution is no longer waiting for approval."),
}


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="robots" content="noindex, nofollow"><title>{esc(title)}</title>'
        f"<style>{_STYLE}</style></head><body>{body}</body></html>"
    )


def _facts(rows: list[tuple[str, Any]]) -> str:
    return (
        "<dl>"
        + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows if v not in (None, ""))
        + "</dl>"
    )


def approval_form(
    *,
    action_path: str,
    execution_arn: str,
    context: dict[str, Any],
    expires_at: int,
    csrf: str,
    pin_required: bool,
    message: str = "",
) -> str:
    facts = _facts(
        [
            ("Alarm", context.get("alarm")),
            ("Alarm state", context.get("alarm_state")),
            ("Since", context.get("alarm_time")),
            ("Seoul's health", context.get("seoul_health")),
            ("Trigger", context.get("trigger")),
            ("Execution", execution_arn),
        ]
    )
    pin = (
        '<label for="pin">Approval PIN</label>'
        '<input id="pin" name="pin" type="password" inputmode="numeric" autocomplete="off" required>'
        if pin_required
        else ""
    )
    note = f'<p class="note" role="alert">{esc(message)}</p>' if message else ""
    body = (
        "<h1>Fail MegaTicket over to Tokyo?</h1>"
        f"{note}<h2>What happened</h2>{facts}"
        "<h2>What approving does</h2>"
        f"<p>{esc(context.get('approving_does') or APPROVING_DOES)}</p>"
        f"<p><strong>This link expires at {esc(when(expires_at))}</strong> "
        f"({esc(context.get('on_timeout') or 'after that the timeout action applies')}). It works once.</p>"
        f'<form method="post" action="{esc(action_path)}">'
        f'<input type="hidden" name="csrf" value="{esc(csrf)}">'
        '<label for="name">Your name</label>'
        '<input id="name" name="name" autocomplete="name" maxlength="100" required>'
        f"{pin}"
        '<label for="reason">Reason (optional)</label><input id="reason" name="reason" maxlength="500">'
        '<button class="approve" type="submit" name="decision" value="approve">Approve failover</button>'
        '<button class="reject" type="submit" name="decision" value="reject">Reject</button>'
        "</form>"
    )
    return _page("Approve failover to Tokyo?", body)


def unusable(reason: str) -> str:
    title, text = UNUSABLE.get(reason, UNUSABLE["unknown"])
    return _page(title, f"<h1>{esc(title)}</h1><p>{esc(text)}</p>")


def decided(decision: str, record: dict[str, Any]) -> str:
    title = "Failover approved" if decision == "approved" else "Failover rejected"
    facts = _facts(
        [
            ("By", record.get("by")),
            ("At", record.get("at")),
            ("Execution", record.get("execution_arn")),
            ("Reason", record.get("reason")),
        ]
    )
    return _page(title, f"<h1>{esc(title)}</h1>{facts}<p>Follow progress with `drctl status`.</p>")


def problem(title: str, text: str) -> str:
    return _page(title, f"<h1>{esc(title)}</h1><p>{esc(text)}</p>")
