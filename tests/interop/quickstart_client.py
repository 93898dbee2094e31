"""ably-python against the quickstart: authorize() through an authUrl route.

Usage: quickstart_client.py APP_URL ROUTE COOKIE REST_HOST REST_PORT [CAPABILITY_JSON]
Prints one JSON object: the TokenDetails, or {"error": {code, statusCode, message}}.
"""
import asyncio
import json
import sys

from ably import AblyRest
from ably.util.exceptions import AblyException


async def main() -> None:
    app, route, cookie, host, port = sys.argv[1:6]
    capability = json.loads(sys.argv[6]) if len(sys.argv) > 6 else None
    headers = {"Cookie": cookie} if cookie else {}
    rest = AblyRest(
        auth_url=app + route,
        auth_headers=headers,
        endpoint=host,
        port=int(port),
        tls=False,
        fallback_hosts=[],
    )
    params = {"ttl": 600000}
    if capability is not None:
        # ably-python sends a dict as its Python repr: {'chat:lobby': ['subscribe']}
        params["capability"] = capability
    try:
        details = await rest.auth.authorize(params)
        print(json.dumps({
            "token": details.token,
            "clientId": details.client_id,
            "capability": str(details.capability) if details.capability else None,
            "expires": details.expires,
            "issued": details.issued,
            "authClientId": rest.auth.client_id,
        }))
    except AblyException as e:
        print(json.dumps({"error": {"code": e.code, "statusCode": e.status_code, "message": e.message}}))
    finally:
        await rest.close()


asyncio.run(main())
