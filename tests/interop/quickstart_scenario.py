"""ably-python, on its default settings (binary protocol on), against the quickstart:
credentials from an authUrl route, then channel REST calls at the local Ably endpoint.

Usage: quickstart_scenario.py APP_URL ROUTE COOKIE REST_HOST REST_PORT STEPS_JSON [TTL_MS]
The steps are those of quickstart-scenario.mjs; "revoke" posts revokeTokens itself (with
Basic auth over plain http, which ably-python refuses to send).
Prints one JSON array: each step's result, {"ok": ...} or {"error": {code, statusCode, message}}.
"""
import asyncio
import base64
import json
import sys
from urllib.parse import quote

import httpx
from ably import AblyRest
from ably.util.exceptions import AblyException


async def main() -> None:
    app, route, cookie, host, port, steps_json = sys.argv[1:7]
    ttl = int(sys.argv[7]) if len(sys.argv) > 7 else None
    steps = json.loads(steps_json)
    options = dict(
        auth_url=app + route,
        auth_headers={"Cookie": cookie} if cookie else {},
        endpoint=host,
        port=int(port),
        tls=False,
        fallback_hosts=[],
    )
    if ttl is not None:
        options["default_token_params"] = {"ttl": ttl}
    rest = AblyRest(**options)
    base = f"http://{host}:{port}"
    last_token = None
    results = []

    async def run(step):
        nonlocal last_token
        kind = step["do"]
        channel = rest.channels.get(step["channel"]) if "channel" in step else None
        if kind == "publish":
            await channel.publish("greeting", f"hello from ably-python on {step['channel']}")
            return {"ok": True}
        if kind == "history":
            page = await channel.history(limit=100)
            return {"ok": [{"name": m.name, "data": m.data, "clientId": m.client_id} for m in page.items]}
        if kind == "status":
            details = await channel.status()
            return {"ok": details.channel_id}
        if kind == "token":
            details = rest.auth.token_details
            last_token = details.token if details else None
            return {"ok": last_token}
        if kind == "raw":
            url = f"{base}/channels/{quote(step['channel'], safe='')}/messages"
            encoded = base64.b64encode(last_token.encode()).decode()
            async with httpx.AsyncClient() as client:
                response = await client.get(url, headers={"Authorization": f"Bearer {encoded}"})
            body = response.json()
            return {"ok": len(body)} if response.is_success else {"error": body["error"]}
        if kind == "revoke":
            name = step["key"].split(":")[0]
            basic = base64.b64encode(step["key"].encode()).decode()
            async with httpx.AsyncClient() as client:
                response = await client.post(
                    f"{base}/keys/{name}/revokeTokens",
                    json={"targets": [f"clientId:{step['clientId']}"]},
                    headers={"Authorization": f"Basic {basic}", "X-Ably-Version": "5"},
                )
            return {"ok": response.json()} if response.is_success else {"error": response.json()["error"]}
        if kind == "sleep":
            await asyncio.sleep(step["ms"] / 1000)
            return {"ok": True}
        raise ValueError(f"unknown step {kind}")

    try:
        for step in steps:
            try:
                results.append(await run(step))
            except AblyException as e:
                results.append({"error": {"code": e.code, "statusCode": e.status_code, "message": e.message}})
    finally:
        await rest.close()
    print(json.dumps(results))


asyncio.run(main())
