"""multi-message: up to 10 writes in one HTTP request (API.md §13).

API notes (all UNCONFIRMED): a batch counts as one request for throttling; the answer is 200
when every message succeeded and 207 otherwise; `onFail: STOP` leaves the remaining messages
unprocessed (listed as submitted), any other value carries on; PATCH is accepted besides
POST/PUT/DELETE.
"""

from __future__ import annotations

import json
from typing import Any

from portal.sandbox.errors import ApiError, invalid, not_found
from portal.sandbox.routing import Request, Response, Router

MAX_MESSAGES = 10
METHODS = ("POST", "PUT", "DELETE", "PATCH")


def register(router: Router) -> None:
    def post_multi_message(req: Request) -> Response:
        body = req.json_object()
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages or len(messages) > MAX_MESSAGES:
            raise invalid(f"messages must be a list of 1 to {MAX_MESSAGES} messages")
        for n, message in enumerate(messages):
            if (not isinstance(message, dict) or message.get("httpMethod") not in METHODS
                    or not str(message.get("uri", "")).startswith("/")):
                raise invalid(f"messages[{n}] needs a label, a uri starting with / and httpMethod POST, PUT or DELETE")
        stop_on_fail = str(body.get("onFail", "STOP")).upper() == "STOP"
        processed: list[dict[str, Any]] = []
        unprocessed: list[dict[str, Any]] = []
        for message in messages:
            if unprocessed or (processed and stop_on_fail and processed[-1]["statusCode"] >= 300):
                unprocessed.append(message)
                continue
            status, answer = _run(router, req, message)
            processed.append({
                "label": message.get("label", ""),
                "statusCode": status,
                "body": {"content": json.dumps(answer, ensure_ascii=False, separators=(",", ":"))},
            })
        all_ok = not unprocessed and all(200 <= p["statusCode"] < 300 for p in processed)
        return Response(200 if all_ok else 207, {
            "response": {"processedMessages": processed, "unprocessedMessages": unprocessed},
        })

    router.add("POST", "/multi-message", post_multi_message, "multi-message")


def _run(router: Router, outer: Request, message: dict[str, Any]) -> tuple[int, Any]:
    method = message["httpMethod"]
    path, _, query = str(message["uri"]).partition("?")
    matched = router.match(method, path)
    if matched is None:
        return 404, not_found(f"Cannot find the resource {path}").body()
    raw = json.dumps(message["body"]).encode() if "body" in message else b""
    request = Request(method, path, query, raw, outer.now, outer.data, outer.api_user_id)
    try:
        response = matched.route.handler(request, **matched.params)
    except ApiError as exc:
        return exc.status, exc.body()
    return response.status, response.body
